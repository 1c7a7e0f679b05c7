"""SOAP envelopes are parsed safely and X-Road 4.0 headers are checked and echoed (DOMAIN.md)."""

from __future__ import annotations

import base64
import hashlib

import pytest
from lxml import etree

from gateway.soap.envelope import SoapFault, fault_envelope, read_envelope
from gateway.soap.xroad import XROAD, check_service, read_headers, response_headers

HEADERS = """
<xrd:client id:objectType="SUBSYSTEM"><id:xRoadInstance>VN</id:xRoadInstance>
  <id:memberClass>GOV</id:memberClass><id:memberCode>SLDTBXH-CT</id:memberCode>
  <id:subsystemCode>TRO-CAP</id:subsystemCode></xrd:client>
<xrd:service id:objectType="SERVICE"><id:xRoadInstance>VN</id:xRoadInstance>
  <id:memberClass>GOV</id:memberClass><id:memberCode>POPGATE</id:memberCode>
  <id:subsystemCode>population</id:subsystemCode><id:serviceCode>LookupResident</id:serviceCode>
</xrd:service>
<xrd:id>msg-1</xrd:id><xrd:userId>VN12345</xrd:userId>{extra}
"""


def envelope(headers: str = "", body: str = "<p:LookupResident xmlns:p='urn:x'/>") -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"
  xmlns:xrd="http://x-road.eu/xsd/xroad.xsd" xmlns:id="http://x-road.eu/xsd/identifiers">
<soapenv:Header>{headers}</soapenv:Header><soapenv:Body>{body}</soapenv:Body>
</soapenv:Envelope>""".encode()


def xroad(extra: str = "<xrd:protocolVersion>4.0</xrd:protocolVersion>") -> str:
    return HEADERS.format(extra=extra)


def fault_code(raw: bytes) -> str:
    with pytest.raises(SoapFault) as info:
        env = read_envelope(raw)
        check_service(read_headers(env.headers), etree.QName(env.body).localname)
    return info.value.code


XXE = b"""<?xml version="1.0"?><!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>
<p:LookupResident xmlns:p="urn:x">&xxe;</p:LookupResident></soapenv:Body></soapenv:Envelope>"""
LAUGHS = b"""<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">
<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><lolz>&lol2;</lolz>"""


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (XXE, "Client.InvalidSoap"),
        (LAUGHS, "Client.InvalidSoap"),
        (b"", "Client.InvalidSoap"),
        (b'{"json": true}', "Client.InvalidSoap"),
        (b"<a><b></a>", "Client.InvalidSoap"),
        (b"<Envelope><Body/></Envelope>", "Client.InvalidSoap"),
        (envelope(body=""), "Client.InvalidSoap"),
        (envelope(body="<a/><b/>"), "Client.InvalidSoap"),
    ],
)
def test_hostile_or_malformed_xml_is_refused(raw: bytes, code: str) -> None:
    assert fault_code(raw) == code


def test_plain_soap_without_xroad_headers_is_accepted() -> None:
    env = read_envelope(envelope())
    assert not read_headers(env.headers).present
    assert response_headers(read_headers(env.headers), b"x") == []


def test_xroad_headers_are_read_and_echoed_with_request_hash() -> None:
    raw = envelope(xroad())
    env = read_envelope(raw)
    headers = read_headers(env.headers)
    assert headers.client == "VN/GOV/SLDTBXH-CT/TRO-CAP"
    assert headers.service_code == "LookupResident"
    assert headers.message_id == "msg-1" and headers.user_id == "VN12345"
    check_service(headers, "LookupResident")
    echoed = response_headers(headers, raw)
    names = [etree.QName(e).localname for e in echoed]
    assert names == ["client", "service", "id", "userId", "protocolVersion", "requestHash"]
    digest = echoed[-1]
    assert digest.get("algorithmId") == "http://www.w3.org/2001/04/xmlenc#sha512"
    assert base64.b64decode(digest.text or "") == hashlib.sha512(raw).digest()


@pytest.mark.parametrize(
    ("headers", "code"),
    [
        (xroad(extra=""), "Client.MissingHeaderField"),
        (xroad("<xrd:protocolVersion>3.1</xrd:protocolVersion>"), "Client.InvalidProtocolVersion"),
        (
            xroad("<xrd:protocolVersion>4.0</xrd:protocolVersion><xrd:id>again</xrd:id>"),
            "Client.DuplicateHeaderField",
        ),
        (xroad().replace("LookupResident", "VerifyResident"), "Client.InconsistentHeaders"),
    ],
)
def test_xroad_header_violations_are_faults(headers: str, code: str) -> None:
    assert fault_code(envelope(headers)) == code


def test_fault_envelope_is_soap_11_with_code_and_headers() -> None:
    raw = envelope(xroad())
    headers = response_headers(read_headers(read_envelope(raw).headers), raw)
    doc = etree.fromstring(
        fault_envelope(SoapFault("Server.NotFound", "no such resident"), headers)
    )
    ns = {"s": "http://schemas.xmlsoap.org/soap/envelope/", "x": XROAD}
    assert doc.xpath("string(//faultcode)") == "soapenv:Server.NotFound"
    assert doc.xpath("string(//faultstring)") == "no such resident"
    assert doc.xpath("count(/s:Envelope/s:Header/x:requestHash)", namespaces=ns) == 1
