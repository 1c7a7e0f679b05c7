"""The SOAP face's tests use the resident API's desk: a gateway with the sandbox and a client."""

from tests.gateway.residents.conftest import desk

__all__ = ["desk"]
