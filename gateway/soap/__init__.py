"""The gateway's SOAP face: SOAP 1.1 document/literal wrapped with X-Road 4.0 headers."""

from gateway.soap.service import setup

__all__ = ["setup"]
