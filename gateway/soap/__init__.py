"""The gateway's SOAP face: SOAP 1.1 document/literal wrapped with X-Road 4.0 headers."""
