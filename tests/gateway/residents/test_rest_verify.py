"""REST verification: yes/no answers without personal data, and batches with mixed items."""

from __future__ import annotations

import unicodedata
from typing import Any

from schemas.audit import EventType, Outcome
from schemas.text import name_key_ascii
from tests.gateway.residents.conftest import PURPOSE, Desk

PURPOSED = {"purpose": PURPOSE, "reason": "Đối chiếu thông tin người nộp hồ sơ"}


def item(person: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {
        "personal_id": person["personal_id"],
        "full_name": person["full_name"],
        "date_of_birth": person["date_of_birth"],
    } | changes


def strip_tones(name: str) -> str:
    decomposed = unicodedata.normalize("NFD", name)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).replace("đ", "d")


async def test_exact_match_returns_no_personal_data(desk: Desk) -> None:
    person = desk.people[0]
    variant = item(person, full_name="  " + person["full_name"].upper().replace(" ", "   ") + " ")
    status, body = await desk.post("/v1/residents/verify", variant | PURPOSED)
    assert status == 200, body
    assert body["match"] is True and body["name_match"] == "exact"
    assert body["matched"] == {"personal_id": True, "full_name": True, "date_of_birth": True}
    assert person["personal_id"] not in str(body) and person["full_name"] not in str(body)
    [event] = desk.gateway.audit.of(EventType.DATA_VERIFY)
    assert event.outcome is Outcome.OK and event.fields_returned == ()


async def test_name_without_tone_marks_is_reported_as_such_not_as_a_match(desk: Desk) -> None:
    person = next(p for p in desk.people if strip_tones(p["full_name"]) != p["full_name"])
    plain = strip_tones(person["full_name"])
    assert name_key_ascii(plain) == name_key_ascii(person["full_name"])
    status, body = await desk.post("/v1/residents/verify", item(person, full_name=plain) | PURPOSED)
    assert status == 200
    assert body["match"] is False and body["name_match"] == "without_diacritics"
    assert body["matched"]["full_name"] is False


async def test_wrong_date_of_birth_is_a_mismatch(desk: Desk) -> None:
    person = desk.people[0]
    year = person["date_of_birth"][:4]
    status, body = await desk.post(
        "/v1/residents/verify", item(person, date_of_birth=f"{year}-01-01") | PURPOSED
    )
    same_day = person["date_of_birth"] == f"{year}-01-01"
    assert status == 200 and body["matched"]["date_of_birth"] is same_day


async def test_verification_needs_a_grant_covering_the_identity_fields(desk: Desk) -> None:
    narrow = await desk.gateway.client(("residents.verify",))
    await desk.gateway.grant(narrow.client_id, fields=("full_name",), purposes=(PURPOSE,))
    token = await desk.gateway.token(narrow)
    status, body = await desk.post(
        "/v1/residents/verify", item(desk.people[0]) | PURPOSED, token=token
    )
    assert status == 403 and body["reason"] == "fields_not_granted"


async def test_batch_answers_each_item_and_one_bad_item_fails_alone(desk: Desk) -> None:
    good, other = desk.people[0], desk.people[1]
    items = [
        item(good),
        item(other, full_name="Không Phải Tên Này"),
        {"personal_id": "003203012345", "full_name": "X", "date_of_birth": "1990-01-01"},
        {"personal_id": good["personal_id"]},
        item(good, personal_id="001099999999", date_of_birth="1999-01-01"),
    ]
    status, body = await desk.post("/v1/residents/verify-batch", {"items": items} | PURPOSED)
    assert status == 200, body
    results = body["results"]
    assert [r["index"] for r in results] == [0, 1, 2, 3, 4]
    assert results[0]["match"] is True
    assert results[1]["match"] is False and results[1]["matched"]["full_name"] is False
    assert results[2]["error"]["type"].endswith("/invalid-request")
    assert results[3]["error"] is not None
    assert results[4]["match"] is False and results[4]["matched"]["personal_id"] is False
    assert body["summary"] == {"items": 5, "matched": 1, "not_matched": 2, "errors": 2}
    assert "003203012345" not in str(body)
    verified = desk.gateway.audit.of(EventType.DATA_VERIFY)
    assert len(verified) == 3  # one per valid item, each naming its resident


async def test_batch_over_1000_items_is_refused(desk: Desk) -> None:
    items = [item(desk.people[0])] * 1001
    status, body = await desk.post("/v1/residents/verify-batch", {"items": items} | PURPOSED)
    assert status == 400 and "items" in [e["loc"] for e in body["errors"]]
