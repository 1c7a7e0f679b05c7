"""REST lookups end to end: granted fields only, withheld listed, denials and audit events."""

from __future__ import annotations

from schemas.audit import EventType, Outcome
from tests.gateway.residents.conftest import PURPOSE, Desk

LIVING = 0  # the first seeded person is a living household head


async def test_lookup_returns_granted_fields_and_lists_withheld(desk: Desk) -> None:
    person = desk.people[LIVING]
    status, body = await desk.post(
        "/v1/residents/lookup",
        desk.lookup(person, ["full_name", "date_of_birth", "religion", "phone"], case_ref="HS-1"),
    )
    assert status == 200, body
    assert body["fields"] == {
        "full_name": person["full_name"],
        "date_of_birth": person["date_of_birth"],
    }
    assert body["withheld"] == ["religion", "phone"]
    assert body["purpose"] == PURPOSE and body["request_id"]
    [event] = desk.gateway.audit.of(EventType.DATA_ACCESS)
    assert event.outcome is Outcome.OK
    assert event.resident is not None and event.resident.digits == person["personal_id"]
    assert event.fields_returned == ("full_name", "date_of_birth")
    assert event.fields_withheld == ("religion", "phone")
    assert event.case_ref == "HS-1" and event.legal_basis and event.grant_id == desk.grant_id
    assert event.correlation_id == body["request_id"]


async def test_sensitive_field_needs_a_grant_naming_it(desk: Desk) -> None:
    status, body = await desk.post(
        "/v1/residents/lookup", desk.lookup(desk.people[LIVING], ["religion", "blood_type"])
    )
    assert status == 403
    assert body["reason"] == "fields_not_granted"
    assert desk.gateway.audit.of(EventType.DATA_REFUSED)[-1].outcome is Outcome.DENIED
    assert not desk.gateway.audit.of(EventType.DATA_ACCESS)


async def test_purpose_not_granted_is_denied_and_audited(desk: Desk) -> None:
    status, body = await desk.post(
        "/v1/residents/lookup",
        desk.lookup(desk.people[LIVING], ["full_name"], purpose="TAX_AUDIT"),
    )
    assert status == 403 and body["reason"] == "purpose_not_granted"
    refused = desk.gateway.audit.of(EventType.DATA_REFUSED)[-1]
    assert refused.purpose == "TAX_AUDIT" and refused.detail == "purpose_not_granted"


async def test_revoked_grant_cuts_off_on_the_next_request(desk: Desk) -> None:
    person = desk.people[LIVING]
    assert (await desk.post("/v1/residents/lookup", desk.lookup(person, ["full_name"])))[0] == 200
    admin = await desk.gateway.client(("admin",))
    revoked, _ = await desk.post(
        f"/admin/v1/grants/{desk.grant_id}/revoke",
        {"reason": "case closed"},
        token=await desk.gateway.token(admin),
    )
    assert revoked == 200
    status, body = await desk.post("/v1/residents/lookup", desk.lookup(person, ["full_name"]))
    assert status == 403 and body["reason"] == "grant_revoked"


async def test_unknown_resident_is_404_and_audited(desk: Desk) -> None:
    absent = {"personal_id": "001099999999"}
    status, body = await desk.post("/v1/residents/lookup", desk.lookup(absent, ["full_name"]))
    assert status == 404, body
    assert body["type"].endswith("/not-found")
    assert desk.gateway.audit.of(EventType.DATA_ACCESS)[-1].outcome is Outcome.NOT_FOUND


async def test_bad_inputs_are_400_and_reach_neither_registry_nor_log(desk: Desk) -> None:
    person = desk.people[LIVING]
    cases = [
        {**desk.lookup(person, ["full_name"]), "salary": 1},
        desk.lookup(person, ["shoe_size"]),
        desk.lookup({"personal_id": "092190O12345"}, ["full_name"]),
        desk.lookup({"personal_id": "00320301234"}, ["full_name"]),
        {k: v for k, v in desk.lookup(person, ["full_name"]).items() if k != "reason"},
        {k: v for k, v in desk.lookup(person, ["full_name"]).items() if k != "purpose"},
    ]
    for case in cases:
        status, body = await desk.post("/v1/residents/lookup", case)
        assert status == 400, (case, body)
        assert person["personal_id"] not in str(body)
    assert not desk.gateway.audit.of(EventType.DATA_ACCESS)


async def test_malformed_json_and_huge_bodies_are_refused(desk: Desk) -> None:
    url = desk.gateway.url + "/v1/residents/lookup"
    headers = {"Authorization": f"Bearer {desk.token}", "Content-Type": "application/json"}
    async with desk.gateway.http.post(url, data=b'{"personal_id": ', headers=headers) as resp:
        assert resp.status == 400
    async with desk.gateway.http.post(url, data=b"{" + b" " * 10_000_000, headers=headers) as resp:
        assert resp.status == 413
        assert (await resp.json(content_type=None))["type"].endswith("/body-too-large")


async def test_lookup_needs_a_bearer_token_and_the_lookup_scope(desk: Desk) -> None:
    body = desk.lookup(desk.people[LIVING], ["full_name"])
    async with desk.gateway.http.post(desk.gateway.url + "/v1/residents/lookup", json=body) as r:
        assert r.status == 401 and r.headers["WWW-Authenticate"].startswith("Bearer")
    verifier = await desk.gateway.client(("residents.verify",))
    token = await desk.gateway.token(verifier)
    status, problem = await desk.post("/v1/residents/lookup", body, token=token)
    assert status == 403 and problem["type"].endswith("/insufficient-scope")


async def test_no_data_leaves_when_the_audit_log_cannot_be_written(desk: Desk) -> None:
    desk.gateway.audit.unavailable = True
    person = desk.people[LIVING]
    status, body = await desk.post("/v1/residents/lookup", desk.lookup(person, ["full_name"]))
    assert status == 503 and body["type"].endswith("/audit-unavailable")
    assert person["full_name"] not in str(body)
