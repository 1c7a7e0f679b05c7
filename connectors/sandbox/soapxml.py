"""SOAP 1.1 envelopes for the sandbox: XSD validation, answers and faults (safe parsing and
field rendering live in `schemas.contract`)."""

from __future__ import annotations

from xml.sax.saxutils import escape

from lxml import etree

from connectors.sandbox.errors import INVALID_REQUEST, ContractError
from schemas.contract import NAMESPACE, XSD_NAME
from schemas.contract.xmlsafe import XmlRefused, contract_schema, parse_safely, schema_error

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
_ENVELOPE = f"{{{SOAP_ENV}}}Envelope"
_BODY = f"{{{SOAP_ENV}}}Body"


SCHEMA = contract_schema(XSD_NAME)


def parse_operation(body: bytes) -> etree._Element:
    """The operation element of a request envelope, validated against the XSD."""
    try:
        root = parse_safely(body)
    except XmlRefused as exc:
        raise ContractError(INVALID_REQUEST, str(exc)) from None
    if root.tag != _ENVELOPE:
        raise ContractError(INVALID_REQUEST, "the body is not a SOAP 1.1 envelope")
    found = root.find(_BODY)
    if found is None or len(found) != 1:
        raise ContractError(INVALID_REQUEST, "the SOAP body must hold exactly one operation")
    operation = found[0]
    if not SCHEMA.validate(operation):
        raise ContractError(INVALID_REQUEST, schema_error(SCHEMA))
    return operation


def text(element: etree._Element, name: str) -> str | None:
    child = element.find(f"{{{NAMESPACE}}}{name}")
    return None if child is None else (child.text or "")


def envelope(operation: str, inner: str) -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="{SOAP_ENV}">'
        f'<soapenv:Body><{operation} xmlns="{NAMESPACE}">{inner}</{operation}>'
        "</soapenv:Body></soapenv:Envelope>"
    ).encode()


def fault(error: ContractError) -> bytes:
    code, message = escape(error.code), escape(error.message)
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="{SOAP_ENV}">'
        f"<soapenv:Body><soapenv:Fault><faultcode>soapenv:{code}</faultcode>"
        f"<faultstring>{message}</faultstring><detail>"
        f'<RegistryFault xmlns="{NAMESPACE}"><code>{code}</code><message>{message}</message>'
        "</RegistryFault></detail></soapenv:Fault></soapenv:Body></soapenv:Envelope>"
    ).encode()
