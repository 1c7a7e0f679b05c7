"""The SOAP face's published contract: the WSDL and its XSDs, addressed at the public URL."""

from __future__ import annotations

import re

from schemas.contract import read_bytes

WSDL_NAME = "population-v1.wsdl"
# Only these contract files are served (`?xsd=NAME`); they are the WSDL's schemas and imports.
SCHEMAS = (
    "population-v1.xsd",
    "registry-v1.xsd",
    "transparency-v1.xsd",
    "xroad.xsd",
    "xroad-identifiers.xsd",
)
PATH = "/soap/population"
_LOCATION = re.compile(r'schemaLocation="([A-Za-z0-9.-]+\.xsd)"')
_ADDRESS = 'location="http://localhost/soap/population"'


def _link_schemas(document: str, endpoint: str) -> str:
    return _LOCATION.sub(lambda m: f'schemaLocation="{endpoint}?xsd={m.group(1)}"', document)


def wsdl(public_url: str) -> bytes:
    """The WSDL with its soap:address and schema locations pointing at `public_url`."""
    endpoint = public_url.rstrip("/") + PATH
    document = read_bytes(WSDL_NAME).decode()
    document = document.replace(_ADDRESS, f'location="{endpoint}"')
    return _link_schemas(document, endpoint).encode()


def xsd(name: str, public_url: str) -> bytes | None:
    """A served schema with its imports pointing at the endpoint, or None if not published."""
    if name not in SCHEMAS:
        return None
    endpoint = public_url.rstrip("/") + PATH
    return _link_schemas(read_bytes(name).decode(), endpoint).encode()
