"""The sandbox's SOAP face: hostile XML gets Client.InvalidRequest; its WSDL is usable by zeep."""

from __future__ import annotations

import asyncio
import re

import aiohttp
import requests
import zeep
from zeep.transports import Transport

from connectors.signing import Credentials, sign
from tests.connectors.conftest import Sandbox

ENV = "http://schemas.xmlsoap.org/soap/envelope/"


def envelope(inner: str) -> str:
    return (
        f'<e:Envelope xmlns:e="{ENV}"><e:Body>'
        f'<VerifyResident xmlns="urn:popgate:registry:v1">{inner}</VerifyResident>'
        "</e:Body></e:Envelope>"
    )


async def post_soap(sandbox: Sandbox, body: bytes) -> tuple[int, str]:
    headers = sign(sandbox.credentials, "POST", "/soap", body)
    headers["Content-Type"] = "text/xml; charset=utf-8"
    async with aiohttp.ClientSession() as session:
        async with session.post(sandbox.url + "/soap", data=body, headers=headers) as resp:
            return resp.status, await resp.text()


def faultcode(answer: str) -> str:
    found = re.search(r"<faultcode>(.*?)</faultcode>", answer)
    assert found, answer
    return found.group(1)


def valid_inner(sandbox: Sandbox) -> str:
    p = sandbox.resident(0)
    return (
        f"<personalId>{p['personal_id']}</personalId><fullName>{p['full_name']}</fullName>"
        f"<dateOfBirth>{p['date_of_birth']}</dateOfBirth>"
    )


async def test_a_valid_envelope_is_answered(sandbox: Sandbox) -> None:
    status, answer = await post_soap(sandbox, envelope(valid_inner(sandbox)).encode())
    assert status == 200 and "<match>true</match>" in answer


async def test_external_entities_are_refused(sandbox: Sandbox) -> None:
    xxe = '<?xml version="1.0"?><!DOCTYPE e [<!ENTITY x SYSTEM "file:///etc/passwd">]>' + envelope(
        "<personalId>&x;</personalId>"
    )
    status, answer = await post_soap(sandbox, xxe.encode())
    assert status == 500 and faultcode(answer) == "soapenv:Client.InvalidRequest"
    assert "root:" not in answer


async def test_billion_laughs_is_refused(sandbox: Sandbox) -> None:
    entities = '<!ENTITY a "haha">' + "".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8)
    )
    bomb = f"<!DOCTYPE e [{entities}]>" + envelope("<fullName>&i;</fullName>")
    status, answer = await post_soap(sandbox, bomb.encode())
    assert status == 500 and faultcode(answer) == "soapenv:Client.InvalidRequest"
    assert "haha" not in answer


async def test_any_doctype_is_refused(sandbox: Sandbox) -> None:
    _status, answer = await post_soap(sandbox, (b"<!DOCTYPE e>" + envelope("").encode()))
    assert faultcode(answer) == "soapenv:Client.InvalidRequest"
    assert "DTD" in answer


async def test_malformed_xml_is_refused(sandbox: Sandbox) -> None:
    _status, answer = await post_soap(sandbox, b"<e:Envelope xmlns:e='x'><unclosed>")
    assert faultcode(answer) == "soapenv:Client.InvalidRequest"


async def test_a_request_breaking_the_schema_is_refused_without_echoing_the_id(
    sandbox: Sandbox,
) -> None:
    bad = (
        "<personalId>09219900000X</personalId><fullName>A</fullName>"
        "<dateOfBirth>1999-01-01</dateOfBirth>"
    )
    _status, answer = await post_soap(sandbox, envelope(bad).encode())
    assert faultcode(answer) == "soapenv:Client.InvalidRequest"
    assert "09219900000X" not in answer


async def test_an_oversized_body_is_refused(sandbox: Sandbox) -> None:
    huge = envelope("<fullName>" + "A" * 300_000 + "</fullName>").encode()
    status, answer = await post_soap(sandbox, huge)
    assert status == 500 and faultcode(answer) == "soapenv:Client.InvalidRequest"
    assert "too large" in answer


async def test_an_unknown_resident_is_a_not_found_fault(sandbox: Sandbox) -> None:
    inner = (
        "<personalId>092199000000</personalId><fields><field>full_name</field></fields>"
        "<purpose>TEST</purpose><reason>r</reason><requestingUnit>u</requestingUnit>"
    )
    body = envelope(inner).replace("VerifyResident", "LookupResident").encode()
    _status, answer = await post_soap(sandbox, body)
    assert faultcode(answer) == "soapenv:Server.NotFound"
    assert "092199000000" not in answer


class _Signer(requests.auth.AuthBase):
    """How another unit would sign with plain `requests`, independent of popgate's connector."""

    def __init__(self, credentials: Credentials) -> None:
        self.credentials = credentials

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        body = r.body if isinstance(r.body, bytes) else (r.body or "").encode()
        path = requests.utils.urlparse(r.url).path
        r.headers.update(sign(self.credentials, r.method or "POST", path, body))
        return r


def _call_with_zeep_from_published_wsdl(url: str, credentials: Credentials, pid: str) -> dict:
    session = requests.Session()
    session.auth = _Signer(credentials)
    client = zeep.Client(f"{url}/soap?wsdl", transport=Transport(session=session))
    result = client.service.LookupResident(
        personalId=pid,
        fields={"field": ["full_name", "date_of_birth", "relatives"]},
        purpose="TEST",
        reason="kiểm tra WSDL",
        requestingUnit="another unit",
    )
    return zeep.helpers.serialize_object(result, dict)


async def test_zeep_built_from_the_published_wsdl_calls_lookup_resident(
    sandbox: Sandbox,
) -> None:
    person = sandbox.resident(2)
    resident = await asyncio.to_thread(
        _call_with_zeep_from_published_wsdl,
        sandbox.url,
        sandbox.credentials,
        person["personal_id"],
    )
    assert resident["fullName"] == person["full_name"]
    assert resident["dateOfBirth"].isoformat() == person["date_of_birth"]
    assert resident["sex"] is None
    relatives = resident["relatives"]["relative"]
    assert [r["personalId"] for r in relatives] == [r["personal_id"] for r in person["relatives"]]


async def test_the_published_wsdl_points_at_the_serving_address(sandbox: Sandbox) -> None:
    async with aiohttp.ClientSession() as session:
        async with session.get(sandbox.url + "/soap?wsdl") as resp:
            wsdl = await resp.text()
    assert f'location="{sandbox.url}/soap"' in wsdl
    assert f'schemaLocation="{sandbox.url}/soap?xsd=registry-v1.xsd"' in wsdl
