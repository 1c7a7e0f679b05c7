"""`findUsage`: the access report on the SOAP face, valid against transparency-v1.xsd."""

from __future__ import annotations

import datetime as dt

import pytest
from lxml import etree

from gateway.audit.findusage import NS, FindUsageInvalid, handle_find_usage, schema
from gateway.audit.signing import LocalSigner
from gateway.audit.transparency import find_usage
from schemas.audit import EventType
from schemas.personal_id import PersonalId
from store.engine import Database
from tests.gateway.audit.support import ALICE, access, new_box, running_writer

PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def _request(code: str, offset: int | None = None, limit: int | None = None) -> etree._Element:
    parts = [f"<tr:personalCode>{code}</tr:personalCode>"]
    if offset is not None:
        parts.append(f"<tr:offset>{offset}</tr:offset>")
    if limit is not None:
        parts.append(f"<tr:limit>{limit}</tr:limit>")
    xml = f'<tr:findUsage xmlns:tr="{NS}">{"".join(parts)}</tr:findUsage>'
    return etree.fromstring(xml.encode(), PARSER)


async def test_find_usage_answers_a_valid_response_listing_the_accesses(
    database: Database,
) -> None:
    box = new_box()
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=30)
    async with running_writer(database, box=box, signer=LocalSigner.generate()) as writer:
        for n in range(3):
            await writer.record(access(n))
        await writer.record(access(9, client="police", hidden_until=later))
        answer = await handle_find_usage(
            database, box, writer, _request(ALICE, 0, 2), client_id="xroad-desk"
        )
    assert schema().validate(answer), schema().error_log
    q = f"{{{NS}}}"
    assert answer.findtext(f"{q}total") == "3"
    assert answer.findtext(f"{q}withheld") == "true"
    usages = answer.findall(f"{q}usage")
    assert len(usages) == 2
    assert {u.findtext(f"{q}clientId") for u in usages} == {"tax-office"}
    assert [f.text for f in usages[0].findall(f"{q}field")] == ["full_name", "date_of_birth"]

    # The report was itself recorded, and is not an access to the resident's data.
    report = await find_usage(database, box, PersonalId(ALICE))
    assert report.total == 3
    assert EventType.TRANSPARENCY_REPORT.value not in {e.kind for e in report.entries}


async def test_find_usage_defaults_offset_and_limit(database: Database) -> None:
    box = new_box()
    async with running_writer(database, box=box) as writer:
        await writer.record(access(1))
        answer = await handle_find_usage(database, box, writer, _request(ALICE), client_id="x")
    assert answer.findtext(f"{{{NS}}}limit") == "100"
    assert len(answer.findall(f"{{{NS}}}usage")) == 1


@pytest.mark.parametrize("code", ["12345", "00109901234X", "999099012345"])
async def test_find_usage_refuses_a_malformed_personal_code(database: Database, code: str) -> None:
    box = new_box()
    async with running_writer(database, box=box) as writer:
        with pytest.raises(FindUsageInvalid):
            await handle_find_usage(database, box, writer, _request(code), client_id="x")


async def test_find_usage_refuses_a_limit_beyond_the_contract(database: Database) -> None:
    box = new_box()
    async with running_writer(database, box=box) as writer:
        with pytest.raises(FindUsageInvalid, match="limit"):
            await handle_find_usage(database, box, writer, _request(ALICE, 0, 501), client_id="x")
