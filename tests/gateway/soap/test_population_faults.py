"""Raw SOAP against /soap/population: X-Road headers, hostile and bad input, refusals, all faults.

Each refusal is a SOAP 1.1 fault in text/xml (never problem+json, never an HTML page) with a
stable code, and each data access or refusal leaves its audit event.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import AsyncIterator
from typing import Any

import pytest
from lxml import etree

from gateway.problems import Problem
from gateway.soap.operations import POPULATION
from gateway.soap.service import problem_fault
from schemas.audit import EventType, Outcome
from tests.gateway.residents.conftest import PURPOSE, Desk
from tests.gateway.soap.test_envelope_and_xroad import HEADERS, LAUGHS, XXE

ENV = "http://schemas.xmlsoap.org/soap/envelope/"
XRD = "http://x-road.eu/xsd/xroad.xsd"
VERSION = "<xrd:protocolVersion>4.0</xrd:protocolVersion>"


def lookup(
    pid: str, purpose: str = PURPOSE, ns: str = POPULATION, op: str = "LookupResident"
) -> str:
    return (
        f'<p:{op} xmlns:p="{ns}"><p:personalId>{pid}</p:personalId><p:field>full_name</p:field>'
        f"<p:purpose>{purpose}</p:purpose><p:reason>Xét hồ sơ trợ cấp</p:reason></p:{op}>"
    )


def envelope(body: str, headers: str = "") -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="{ENV}" '
        'xmlns:xrd="http://x-road.eu/xsd/xroad.xsd" xmlns:id="http://x-road.eu/xsd/identifiers">'
        f"<soapenv:Header>{headers}</soapenv:Header><soapenv:Body>{body}</soapenv:Body>"
        "</soapenv:Envelope>"
    ).encode()


class Answer:
    def __init__(self, status: int, headers: Any, raw: bytes) -> None:
        self.status, self.headers, self.raw = status, headers, raw
        assert headers["Content-Type"].startswith("text/xml"), raw[:200]
        self.root = etree.fromstring(raw)

    @property
    def fault(self) -> etree._Element | None:
        return self.root.find(f"{{{ENV}}}Body/{{{ENV}}}Fault")

    @property
    def code(self) -> str:
        assert self.fault is not None, self.raw[:300]
        return (self.fault.findtext("faultcode") or "").removeprefix("soapenv:")

    @property
    def message(self) -> str:
        assert self.fault is not None
        return self.fault.findtext("faultstring") or ""

    def detail(self, name: str) -> str | None:
        assert self.fault is not None
        return self.fault.findtext(f"detail/{{{POPULATION}}}PopulationFault/{{{POPULATION}}}{name}")


async def post(
    desk: Desk, raw: bytes, *, token: str | None = "", content_type: str = "text/xml"
) -> Answer:
    headers = {"Content-Type": content_type}
    if token is not None:
        headers["Authorization"] = f"Bearer {token or desk.token}"
    async with desk.gateway.http.post(
        desk.gateway.url + "/soap/population", data=raw, headers=headers
    ) as resp:
        return Answer(resp.status, resp.headers, await resp.read())


async def test_xroad_headers_are_echoed_with_the_request_hash(desk: Desk) -> None:
    raw = envelope(lookup(desk.people[0]["personal_id"]), HEADERS.format(extra=VERSION))
    answer = await post(desk, raw)
    assert answer.status == 200 and answer.fault is None
    header = answer.root.find(f"{{{ENV}}}Header")
    assert header is not None
    names = [etree.QName(e).localname for e in header]
    assert names == ["client", "service", "id", "userId", "protocolVersion", "requestHash"]
    digest = header.findtext(f"{{{XRD}}}requestHash") or ""
    assert base64.b64decode(digest) == hashlib.sha512(raw).digest()
    [event] = desk.gateway.audit.of(EventType.DATA_ACCESS)
    assert event.actor == "VN12345" and event.request_hash == digest


@pytest.mark.parametrize(
    ("headers", "code"),
    [
        (HEADERS.format(extra=""), "Client.MissingHeaderField"),
        (
            HEADERS.format(extra="<xrd:protocolVersion>3.1</xrd:protocolVersion>"),
            "Client.InvalidProtocolVersion",
        ),
        (
            HEADERS.format(extra=VERSION + "<xrd:userId>twice</xrd:userId>"),
            "Client.DuplicateHeaderField",
        ),
        (
            HEADERS.format(extra=VERSION).replace("LookupResident", "VerifyResident"),
            "Client.InconsistentHeaders",
        ),
    ],
)
async def test_xroad_header_violations_are_faults(desk: Desk, headers: str, code: str) -> None:
    answer = await post(desk, envelope(lookup(desk.people[0]["personal_id"]), headers))
    assert answer.status == 500 and answer.code == code
    assert not desk.gateway.audit.of(EventType.DATA_ACCESS)


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (b"", "Client.InvalidSoap"),
        (b'{"personal_id": "001099999999"}', "Client.InvalidSoap"),
        (b"<Envelope><Body/></Envelope>", "Client.InvalidSoap"),
        (XXE, "Client.InvalidSoap"),
        (LAUGHS, "Client.InvalidSoap"),
        (envelope(lookup("001099999999", ns="urn:popgate:registry:v1")), "Client.InvalidRequest"),
        (envelope(lookup("001099999999", op="DeleteResident")), "Client.UnknownOperation"),
        (envelope(lookup("00109999999")), "Client.InvalidRequest"),
    ],
)
async def test_bad_bodies_are_faults_not_error_pages(desk: Desk, raw: bytes, code: str) -> None:
    answer = await post(desk, raw)
    assert answer.status == 500 and answer.code == code
    assert "passwd" not in answer.message and "0010999999" not in answer.message
    assert answer.detail("correlationId") == answer.headers["X-Request-Id"]


async def test_schema_errors_name_the_element_not_the_value(desk: Desk) -> None:
    answer = await post(desk, envelope(lookup("00109999999")))
    assert answer.code == "Client.InvalidRequest" and "personalId" in answer.message
    assert "00109999999" not in answer.raw.decode()
    # 12 digits but an unknown province code: the XSD passes it, the model does not.
    answer = await post(desk, envelope(lookup("999099999999")))
    assert answer.code == "Client.InvalidRequest" and "999099999999" not in answer.raw.decode()
    assert not desk.gateway.audit.of(EventType.DATA_ACCESS)


async def test_non_xml_content_type_and_oversized_bodies_are_faults(desk: Desk) -> None:
    raw = envelope(lookup(desk.people[0]["personal_id"]))
    answer = await post(desk, raw, content_type="application/json")
    assert answer.status == 415 and answer.code == "Client.InvalidSoap"
    answer = await post(
        desk, raw.replace(b"</soapenv:Body>", b" " * 10_000_000 + b"</soapenv:Body>")
    )
    assert answer.status == 500 and answer.code == "Client.InvalidRequest"
    assert "limit" in answer.message

    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: caught while reading
        yield raw[:100]
        for _ in range(100):
            yield b" " * 100_000
        yield raw[100:]

    async with desk.gateway.http.post(
        desk.gateway.url + "/soap/population",
        data=chunks(),
        headers={"Content-Type": "text/xml", "Authorization": f"Bearer {desk.token}"},
    ) as resp:
        chunked = Answer(resp.status, resp.headers, await resp.read())
    assert chunked.code == "Client.InvalidRequest" and "limit" in chunked.message


async def test_batch_over_1000_items_is_refused_whole(desk: Desk) -> None:
    items = "<p:item><p:fullName>A</p:fullName></p:item>" * 1001
    body = (
        f'<p:VerifyResidents xmlns:p="{POPULATION}"><p:purpose>{PURPOSE}</p:purpose>'
        f"<p:reason>Đối chiếu hồ sơ</p:reason>{items}</p:VerifyResidents>"
    )
    answer = await post(desk, envelope(body))
    assert answer.code == "Client.InvalidRequest" and "item" in answer.message
    assert not desk.gateway.audit.of(EventType.DATA_VERIFY)


async def test_missing_token_is_an_unauthorized_fault_with_the_challenge(desk: Desk) -> None:
    answer = await post(desk, envelope(lookup(desk.people[0]["personal_id"])), token=None)
    assert answer.status == 401 and answer.code == "Client.Unauthorized"
    assert answer.headers["WWW-Authenticate"].startswith("Bearer")
    assert desk.gateway.audit.of(EventType.AUTH_REFUSED)
    assert not desk.gateway.audit.of(EventType.DATA_ACCESS)


async def test_denied_purpose_is_an_access_denied_fault_and_audited(desk: Desk) -> None:
    answer = await post(desk, envelope(lookup(desk.people[0]["personal_id"], purpose="TAX_AUDIT")))
    assert answer.status == 403 and answer.code == "Client.AccessDenied"
    assert answer.detail("reason") == "purpose_not_granted"
    assert "purpose_not_granted" in answer.message
    [refused] = desk.gateway.audit.of(EventType.DATA_REFUSED)
    assert refused.outcome is Outcome.DENIED and refused.purpose == "TAX_AUDIT"


async def test_revoked_grant_is_refused_on_the_next_call(desk: Desk) -> None:
    raw = envelope(lookup(desk.people[0]["personal_id"]))
    assert (await post(desk, raw)).status == 200
    admin = await desk.gateway.client(("admin",))
    status, _ = await desk.post(
        f"/admin/v1/grants/{desk.grant_id}/revoke",
        {"reason": "case closed"},
        token=await desk.gateway.token(admin),
    )
    assert status == 200
    answer = await post(desk, raw)
    assert answer.code == "Client.AccessDenied" and answer.detail("reason") == "grant_revoked"
    assert desk.gateway.audit.of(EventType.DATA_REFUSED)[-1].detail == "grant_revoked"


async def test_unknown_resident_is_a_not_found_fault_and_audited(desk: Desk) -> None:
    raw = envelope(lookup("001099999999"), HEADERS.format(extra=VERSION))
    answer = await post(desk, raw)
    assert answer.status == 500 and answer.code == "Server.NotFound"
    # A fault answers an X-Road request with its headers too, hash included.
    digest = answer.root.findtext(f"{{{ENV}}}Header/{{{XRD}}}requestHash") or ""
    assert base64.b64decode(digest) == hashlib.sha512(raw).digest()
    [event] = desk.gateway.audit.of(EventType.DATA_ACCESS)
    assert event.outcome is Outcome.NOT_FOUND


async def test_wrong_scope_is_access_denied(desk: Desk) -> None:
    verifier = await desk.gateway.client(("residents.verify",))
    answer = await post(
        desk,
        envelope(lookup(desk.people[0]["personal_id"])),
        token=await desk.gateway.token(verifier),
    )
    assert answer.status == 403 and answer.code == "Client.AccessDenied"
    assert answer.detail("reason") == "insufficient-scope"


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (400, "Client.InvalidRequest"),
        (404, "Server.NotFound"),
        (413, "Client.InvalidRequest"),
        (429, "Client.RateLimited"),
        (502, "Server.UpstreamError"),
        (503, "Server.Unavailable"),
        (504, "Server.Timeout"),
        (500, "Server.InternalError"),
    ],
)
def test_problems_map_to_faults_keeping_retry_after(status: int, code: str) -> None:
    problem = Problem(status, "x", "X", "detail", headers={"Retry-After": "5", "X-Other": "1"})
    fault, reason, headers = problem_fault(problem)
    assert fault.code == code and fault.message == "detail" and reason is None
    assert headers == {"Retry-After": "5"}
