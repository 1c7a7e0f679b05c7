"""Audit events: what the tamper-evident log records for every access, refusal and admin change."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from schemas.personal_id import PersonalId


class EventType(StrEnum):
    DATA_ACCESS = "data.access"  # lookup returning resident fields
    DATA_VERIFY = "data.verify"  # yes/no verification, no fields returned
    DATA_REFUSED = "data.refused"  # a data request denied (policy, quota, rate, upstream)
    TOKEN_ISSUED = "token.issued"
    TOKEN_REFUSED = "token.refused"
    TOKEN_REVOKED = "token.revoked"
    AUTH_REFUSED = "auth.refused"  # a protected request with a bad or missing token
    ADMIN_CHANGE = "admin.change"  # client, grant or key created, disabled, revoked, rotated
    TRANSPARENCY_REPORT = "transparency.report"
    RECORD_ACCESS = "record.access"  # a digitized record read
    RECORD_REVIEW = "record.review"  # a person confirmed or corrected a digitized field
    AUDIT_SEARCH = "audit.search"  # an administrator searched the log for one resident


class Outcome(StrEnum):
    OK = "ok"
    DENIED = "denied"
    NOT_FOUND = "not_found"
    ERROR = "error"


class AuditEvent(BaseModel):
    """One audited happening. The resident is held as a `PersonalId`; the log stores it only as a
    keyed hash (for lookup) and encrypted (for the transparency report), never in clear."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: EventType
    outcome: Outcome
    occurred_at: dt.datetime = Field(default_factory=lambda: dt.datetime.now(dt.UTC))
    client_id: str | None = None
    actor: str | None = Field(None, description="acting user, unit or X-Road userId")
    purpose: str | None = None
    reason: str | None = None
    case_ref: str | None = None
    legal_basis: str | None = None
    grant_id: str | None = None
    resident: PersonalId | None = None
    fields_returned: tuple[str, ...] = ()
    fields_withheld: tuple[str, ...] = ()
    detail: str | None = Field(None, description="why it was refused or what changed; no IDs")
    correlation_id: str | None = None
    request_hash: str | None = None
    hidden_until: dt.datetime | None = Field(
        None, description="lawful disclosure delay: withheld from access reports until then"
    )


class AccessReportRequest(BaseModel):
    """`POST /v1/transparency/access-report`: the ID travels in the body, never in the URL."""

    model_config = ConfigDict(extra="forbid")

    personal_id: str = Field(min_length=1, max_length=32)
    offset: int = Field(0, ge=0)
    limit: int = Field(100, ge=1, le=500)


class AuditSearchRequest(BaseModel):
    """`POST /admin/v1/audit/search`: the admin query with an optional resident filter."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    personal_id: str | None = Field(None, min_length=1, max_length=32)
    client_id: str | None = Field(None, max_length=200)
    purpose: str | None = Field(None, max_length=100)
    outcome: Outcome | None = None
    type: EventType | None = None
    since: dt.datetime | None = Field(None, alias="from")
    until: dt.datetime | None = Field(None, alias="to")
    limit: int = Field(100, ge=1, le=500)
    cursor: int | None = Field(None, ge=1, description="`next_cursor` of the previous page")
