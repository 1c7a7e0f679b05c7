"""The versioned registry contract files (WSDL, XSD, OpenAPI), read as package resources."""

from __future__ import annotations

from importlib.resources import as_file, files
from importlib.resources.abc import Traversable

VERSION = "v1"
NAMESPACE = "urn:popgate:registry:v1"
WSDL_NAME = f"registry-{VERSION}.wsdl"
XSD_NAME = f"registry-{VERSION}.xsd"
OPENAPI_NAME = f"registry-{VERSION}.openapi.json"

__all__ = ["NAMESPACE", "OPENAPI_NAME", "VERSION", "WSDL_NAME", "XSD_NAME", "as_file", "resource"]
# List fields of the XSD and the element that wraps each of their items.
LIST_ITEMS = {"other_names": "name", "relatives": "relative", "members": "member"}


def resource(name: str) -> Traversable:
    """One contract file; `as_file(resource(...))` gives a filesystem path when one is needed."""
    return files(__name__).joinpath(name)


def read_bytes(name: str) -> bytes:
    return resource(name).read_bytes()


def to_camel(name: str) -> str:
    """Catalogue name to XML element name: `date_of_birth` -> `dateOfBirth`."""
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


def to_snake(name: str) -> str:
    """XML element name to catalogue name: `dateOfBirth` -> `date_of_birth`."""
    return "".join("_" + c.lower() if c.isupper() else c for c in name)
