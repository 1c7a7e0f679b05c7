"""SOAP 1.1 envelopes for the sandbox: hardened parsing, XSD validation, answers and faults."""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape

from lxml import etree

from connectors.sandbox.errors import INVALID_REQUEST, ContractError
from schemas.contract import LIST_ITEMS, NAMESPACE, XSD_NAME, read_bytes, to_camel

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
_ENVELOPE = f"{{{SOAP_ENV}}}Envelope"
_BODY = f"{{{SOAP_ENV}}}Body"


def hardened_parser() -> etree.XMLParser:
    """No entity expansion, no network, no DTD loading (NOTES.md: zeep is client-only)."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_blank_text=True,
    )


_PARSER = hardened_parser()
SCHEMA = etree.XMLSchema(etree.fromstring(read_bytes(XSD_NAME), _PARSER))


def parse_operation(body: bytes) -> etree._Element:
    """The operation element of a request envelope, validated against the XSD."""
    if b"<!DOCTYPE" in body or b"<!ENTITY" in body:
        raise ContractError(INVALID_REQUEST, "DTDs and entities are not accepted")
    try:
        root = etree.fromstring(body, _PARSER)
    except etree.XMLSyntaxError:
        raise ContractError(INVALID_REQUEST, "the body is not well-formed XML") from None
    info = root.getroottree().docinfo
    if info.doctype or info.internalDTD is not None:
        raise ContractError(INVALID_REQUEST, "DTDs and entities are not accepted")
    if root.tag != _ENVELOPE:
        raise ContractError(INVALID_REQUEST, "the body is not a SOAP 1.1 envelope")
    found = root.find(_BODY)
    if found is None or len(found) != 1:
        raise ContractError(INVALID_REQUEST, "the SOAP body must hold exactly one operation")
    operation = found[0]
    if not SCHEMA.validate(operation):
        line = SCHEMA.error_log.last_error
        # libxml2 messages quote the offending value, which may be an ID: keep only the element.
        where = line.path.rsplit("/", 1)[-1] if line is not None and line.path else "body"
        raise ContractError(INVALID_REQUEST, f"the request does not match the schema at {where}")
    return operation


def text(element: etree._Element, name: str) -> str | None:
    child = element.find(f"{{{NAMESPACE}}}{name}")
    return None if child is None else (child.text or "")


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return escape(str(value))


def render(name: str, value: Any) -> str:
    """One element from a JSON-ready value; None is left out, lists are wrapped."""
    tag = to_camel(name)
    if value is None:
        return ""
    if isinstance(value, dict):
        inner = "".join(render(k, v) for k, v in value.items())
        return f"<{tag}>{inner}</{tag}>"
    if isinstance(value, list):
        item = LIST_ITEMS[name]
        inner = "".join(render(item, v) for v in value)
        return f"<{tag}>{inner}</{tag}>"
    return f"<{tag}>{_value(value)}</{tag}>"


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
