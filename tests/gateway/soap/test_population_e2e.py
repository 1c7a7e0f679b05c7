"""zeep, pointed at the published WSDL, calls every operation of the SOAP face end to end."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import pytest
import requests
import zeep
from lxml import etree
from zeep.exceptions import Fault
from zeep.helpers import serialize_object

from gateway.soap.operations import POPULATION
from schemas.audit import EventType, Outcome
from schemas.contract.xmlsafe import contract_schema
from schemas.fields import FIELD_NAMES
from tests.gateway.residents.conftest import PURPOSE, Desk
from tests.gateway.residents.test_rest_verify import strip_tones
from tests.gateway.soap.test_population_faults import ENV, envelope, post

REASON = "Xét hồ sơ trợ cấp thất nghiệp"


def client_for(desk: Desk, token: str | None = None) -> zeep.Client:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token or desk.token}"
    transport = zeep.Transport(session=session, timeout=30, operation_timeout=30)
    return zeep.Client(f"{desk.gateway.url}/soap/population?wsdl", transport=transport)


async def call(desk: Desk, operation: str, token: str | None = None, **values: Any) -> Any:
    def run() -> Any:
        client = client_for(desk, token)
        return serialize_object(getattr(client.service, operation)(**values), dict)

    return await asyncio.to_thread(run)


async def test_wsdl_addresses_the_public_url_and_its_schemas_resolve(desk: Desk) -> None:
    base = desk.gateway.url
    async with desk.gateway.http.get(base + "/soap/population?wsdl") as resp:
        assert resp.status == 200 and resp.content_type == "text/xml"
        wsdl = await resp.read()
    assert f'location="{base}/soap/population"'.encode() in wsdl
    assert f'schemaLocation="{base}/soap/population?xsd=population-v1.xsd"'.encode() in wsdl
    async with desk.gateway.http.get(base + "/soap/population?xsd=population-v1.xsd") as resp:
        assert resp.status == 200
        assert b"?xsd=registry-v1.xsd" in await resp.read()
    async with desk.gateway.http.get(base + "/soap/population?xsd=../pyproject.toml") as resp:
        assert resp.status == 404


async def test_lookup_returns_granted_fields_and_lists_withheld(desk: Desk) -> None:
    person = desk.people[0]
    answer = await call(
        desk,
        "LookupResident",
        personalId=person["personal_id"],
        field=["full_name", "date_of_birth", "religion", "permanent_address"],
        purpose=PURPOSE,
        reason=REASON,
        caseRef="HS-7",
    )
    resident = {k: v for k, v in answer["resident"].items() if v is not None}
    assert resident == {
        "fullName": person["full_name"],
        "dateOfBirth": dt.date.fromisoformat(person["date_of_birth"]),
        "permanentAddress": person["permanent_address"],
    }
    assert answer["withheld"] == ["religion"] and answer["requestId"]
    [event] = desk.gateway.audit.of(EventType.DATA_ACCESS)
    assert event.outcome is Outcome.OK and event.case_ref == "HS-7"
    assert event.fields_returned == ("full_name", "date_of_birth", "permanent_address")
    assert event.fields_withheld == ("religion",)
    assert event.correlation_id == answer["requestId"]


async def test_verify_reports_match_and_tone_mark_only_match(desk: Desk) -> None:
    person = desk.people[0]
    exact = await call(
        desk,
        "VerifyResident",
        personalId=person["personal_id"],
        fullName=person["full_name"].upper(),
        dateOfBirth=person["date_of_birth"],
        purpose=PURPOSE,
        reason=REASON,
    )
    assert exact["match"] is True and exact["nameMatch"] == "exact"
    assert exact["matched"] == {"personalId": True, "fullName": True, "dateOfBirth": True}
    toned = next(p for p in desk.people if strip_tones(p["full_name"]) != p["full_name"])
    plain = await call(
        desk,
        "VerifyResident",
        personalId=toned["personal_id"],
        fullName=strip_tones(toned["full_name"]),
        dateOfBirth=toned["date_of_birth"],
        purpose=PURPOSE,
        reason=REASON,
    )
    assert plain["match"] is False and plain["nameMatch"] == "without_diacritics"
    assert len(desk.gateway.audit.of(EventType.DATA_VERIFY)) == 2


async def test_batch_answers_each_item_and_a_bad_item_fails_alone(desk: Desk) -> None:
    one, two = desk.people[0], desk.people[1]
    items = [
        {
            k: one[s]
            for k, s in (
                ("personalId", "personal_id"),
                ("fullName", "full_name"),
                ("dateOfBirth", "date_of_birth"),
            )
        },
        {
            "personalId": two["personal_id"],
            "fullName": "Nguyễn Không Phải",
            "dateOfBirth": two["date_of_birth"],
        },
        {"personalId": "12345", "fullName": one["full_name"], "dateOfBirth": "yesterday"},
        {"fullName": one["full_name"]},
    ]
    answer = await call(desk, "VerifyResidents", purpose=PURPOSE, reason=REASON, item=items)
    results = answer["result"]
    assert [r["index"] for r in results] == [0, 1, 2, 3]
    assert results[0]["match"] is True and results[0]["error"] is None
    assert results[1]["match"] is False and results[1]["nameMatch"] == "no"
    for bad in results[2:]:
        assert bad["match"] is None and bad["error"]["type"].endswith("/invalid-request")
    assert "12345" not in str(results)
    assert len(desk.gateway.audit.of(EventType.DATA_VERIFY)) == 2


async def test_find_usage_reports_the_accesses_to_a_resident(desk: Desk) -> None:
    person = desk.people[0]
    await call(
        desk,
        "LookupResident",
        personalId=person["personal_id"],
        field=["full_name"],
        purpose=PURPOSE,
        reason=REASON,
    )
    reporter = await desk.gateway.client(("transparency.report",))
    token = await desk.gateway.token(reporter)
    report = await call(desk, "FindUsage", token, personalCode=person["personal_id"], limit=10)
    assert report["total"] >= 1 and report["limit"] == 10
    assert any(u["clientId"] == desk.client.client_id for u in report["usage"])
    [event] = desk.gateway.audit.of(EventType.TRANSPARENCY_REPORT)
    assert event.client_id == reporter.client_id


async def test_faults_reach_zeep_with_their_codes(desk: Desk) -> None:
    with pytest.raises(Fault) as denied:
        await call(
            desk,
            "LookupResident",
            personalId=desk.people[0]["personal_id"],
            field=["full_name"],
            purpose="TAX_AUDIT",
            reason=REASON,
        )
    assert denied.value.code.endswith("Client.AccessDenied")
    assert "purpose_not_granted" in denied.value.message
    assert isinstance(denied.value.detail, etree._Element)
    with pytest.raises(Fault) as scope:
        await call(desk, "FindUsage", personalCode=desk.people[0]["personal_id"])
    assert scope.value.code.endswith("Client.AccessDenied")


async def test_every_catalogue_field_renders_as_the_schema_says(desk: Desk) -> None:
    """All 26 fields, for residents with relatives, households and ID cards: the raw answer is
    valid against population-v1.xsd and zeep reads it."""
    await desk.gateway.grant(desk.client.client_id, fields=FIELD_NAMES, purposes=("CENSUS",))
    schema = contract_schema("population-v1.xsd")
    seen: set[str] = set()
    for person in desk.people[:8]:
        body = (
            f'<p:LookupResident xmlns:p="{POPULATION}"><p:personalId>{person["personal_id"]}'
            "</p:personalId>"
            + "".join(f"<p:field>{name}</p:field>" for name in FIELD_NAMES)
            + "<p:purpose>CENSUS</p:purpose><p:reason>Tổng điều tra dân số</p:reason>"
            "</p:LookupResident>"
        )
        answer = await post(desk, envelope(body))
        assert answer.status == 200, answer.raw[:300]
        wrapper = answer.root.find(f"{{{ENV}}}Body/{{{POPULATION}}}LookupResidentResponse")
        assert wrapper is not None
        assert schema.validate(wrapper), schema.error_log.last_error
        seen |= {etree.QName(el).localname for el in wrapper.iter()}
    assert {"idCard", "relative", "household", "member", "otherNames"} <= seen
    person = desk.people[0]
    answer = await call(
        desk,
        "LookupResident",
        personalId=person["personal_id"],
        field=list(FIELD_NAMES),
        purpose="CENSUS",
        reason="Tổng điều tra dân số",
    )
    assert answer["resident"]["personalId"] == person["personal_id"]
    assert answer["withheld"] == []


async def test_zeep_sends_xroad_headers_declared_in_the_wsdl(desk: Desk) -> None:
    member = {"xRoadInstance": "VN", "memberClass": "GOV"}
    headers = {
        "client": {"objectType": "SUBSYSTEM", **member, "memberCode": "SLDTBXH-CT"},
        "service": {
            "objectType": "SERVICE",
            **member,
            "memberCode": "POPGATE",
            "serviceCode": "VerifyResident",
        },
        "id": "msg-42",
        "userId": "VN-CB-0042",
        "protocolVersion": "4.0",
    }
    person = desk.people[0]
    answer = await call(
        desk,
        "VerifyResident",
        personalId=person["personal_id"],
        fullName=person["full_name"],
        dateOfBirth=person["date_of_birth"],
        purpose=PURPOSE,
        reason=REASON,
        _soapheaders=headers,
    )
    assert answer["match"] is True
    [event] = desk.gateway.audit.of(EventType.DATA_VERIFY)
    assert event.actor == "VN-CB-0042" and event.request_hash
