"""SOAP 1.1 envelopes: safe parsing of requests, building of responses and faults."""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from schemas.contract.xmlsafe import XmlRefused, parse_safely

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
_ENV = f"{{{SOAP_ENV}}}"


class SoapFault(Exception):
    """A SOAP fault with a stable code such as `Client.InvalidRequest`; its text is safe to show."""

    def __init__(self, code: str, message: str, *, http_status: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.http_status = http_status or 500  # SOAP 1.1 over HTTP: faults are answered with 500


def parse_xml(raw: bytes) -> etree._Element:
    """Parse an XML document, refusing any DOCTYPE (and so every entity declaration)."""
    if not raw.strip():
        raise SoapFault("Client.InvalidSoap", "empty request body")
    try:
        return parse_safely(raw)
    except XmlRefused as exc:
        raise SoapFault("Client.InvalidSoap", str(exc)) from None


@dataclass(frozen=True)
class Envelope:
    headers: tuple[etree._Element, ...]
    body: etree._Element  # the single wrapper element inside soap:Body


def read_envelope(raw: bytes) -> Envelope:
    root = parse_xml(raw)
    if root.tag != _ENV + "Envelope":
        raise SoapFault("Client.InvalidSoap", "not a SOAP 1.1 envelope")
    header = root.find(_ENV + "Header")
    body = root.find(_ENV + "Body")
    if body is None:
        raise SoapFault("Client.InvalidSoap", "the envelope has no Body")
    children = [c for c in body if isinstance(c.tag, str)]
    if len(children) != 1:
        raise SoapFault("Client.InvalidSoap", "the Body must hold exactly one operation element")
    headers = tuple(c for c in header if isinstance(c.tag, str)) if header is not None else ()
    return Envelope(headers, children[0])


def build_envelope(body: etree._Element, headers: list[etree._Element] | None = None) -> bytes:
    env = etree.Element(_ENV + "Envelope", nsmap={"soapenv": SOAP_ENV})
    if headers:
        head = etree.SubElement(env, _ENV + "Header")
        head.extend(headers)
    etree.SubElement(env, _ENV + "Body").append(body)
    return etree.tostring(env, xml_declaration=True, encoding="UTF-8")


def fault_envelope(
    fault: SoapFault,
    headers: list[etree._Element] | None = None,
    detail: str | None = None,
    *,
    entry: etree._Element | None = None,
) -> bytes:
    """A SOAP 1.1 fault; `entry` is the detail entry, else `detail` is sent as a correlation id."""
    el = etree.Element(_ENV + "Fault")
    etree.SubElement(el, "faultcode").text = f"soapenv:{fault.code}"
    etree.SubElement(el, "faultstring").text = fault.message
    if entry is not None:
        etree.SubElement(el, "detail").append(entry)
    elif detail:
        etree.SubElement(etree.SubElement(el, "detail"), "correlationId").text = detail
    return build_envelope(el, headers)
