"""`findUsage` on the SOAP face: the access report as XML (schemas/contract/transparency-v1.xsd).

The SOAP face owns the envelope, headers and faults; it hands over the body's `findUsage` element
and gets back the `findUsageResponse` element. Both are checked against the XSD.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from importlib import resources

from lxml import etree

from gateway.audit.transparency import UsageReport, find_usage
from gateway.auditing import AuditSink
from schemas.audit import AuditEvent, EventType, Outcome
from schemas.personal_id import InvalidPersonalId, PersonalId
from store.engine import Database
from store.secretbox import SecretBox

NS = "https://popgate.example/xsd/transparency/v1"
_Q = f"{{{NS}}}"


class FindUsageInvalid(ValueError):
    """A `findUsage` request that does not match the contract; the message is safe to return."""


@cache
def schema() -> etree.XMLSchema:
    source = resources.files("schemas.contract").joinpath("transparency-v1.xsd").read_bytes()
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    return etree.XMLSchema(etree.fromstring(source, parser))


def parse_request(element: etree._Element) -> tuple[PersonalId, int, int]:
    """(personal ID, offset, limit) from a `findUsage` element, or `FindUsageInvalid`."""
    if not schema().validate(element):
        error = schema().error_log.last_error
        raise FindUsageInvalid(f"findUsage does not match the contract: {error.message}")
    code = element.findtext(f"{_Q}personalCode") or ""
    try:
        pid = PersonalId(code)
    except InvalidPersonalId as exc:
        raise FindUsageInvalid(f"personalCode: {exc}") from None
    offset = int(element.findtext(f"{_Q}offset") or 0)
    limit = int(element.findtext(f"{_Q}limit") or 100)
    return pid, offset, limit


def _text(parent: etree._Element, name: str, value: str | None) -> None:
    if value is not None:
        etree.SubElement(parent, _Q + name).text = value


def response_element(report: UsageReport) -> etree._Element:
    root = etree.Element(_Q + "findUsageResponse", nsmap={"tr": NS})
    _text(root, "offset", str(report.offset))
    _text(root, "limit", str(report.limit))
    _text(root, "total", str(report.total))
    _text(root, "withheld", "true" if report.withheld else "false")
    for entry in report.entries:
        usage = etree.SubElement(root, _Q + "usage")
        _text(usage, "logTime", entry.when.astimezone(dt.UTC).isoformat())
        _text(usage, "kind", entry.kind)
        _text(usage, "clientId", entry.client_id)
        _text(usage, "actor", entry.actor)
        _text(usage, "purposeCode", entry.purpose)
        _text(usage, "reason", entry.reason)
        _text(usage, "legalBasis", entry.legal_basis)
        for name in entry.fields:
            _text(usage, "field", name)
    return root


async def handle_find_usage(
    db: Database,
    box: SecretBox,
    sink: AuditSink,
    request: etree._Element,
    *,
    client_id: str,
    correlation_id: str | None = None,
) -> etree._Element:
    """The whole operation: request element in, response element out, the report itself audited
    before it is returned (`AuditUnavailable` when it cannot be: answer with a server fault)."""
    pid, offset, limit = parse_request(request)
    report = await find_usage(db, box, pid, offset, limit)
    await sink.record(
        AuditEvent(
            type=EventType.TRANSPARENCY_REPORT,
            outcome=Outcome.OK,
            client_id=client_id,
            resident=pid,
            detail=f"{len(report.entries)} entries reported (findUsage)",
            correlation_id=correlation_id,
        )
    )
    return response_element(report)
