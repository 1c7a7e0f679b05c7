"""Bodies of the digitized-records read API: `/v1/records`, batch status, the review queue."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

from schemas.api import Purposeful
from schemas.personal_id import PersonalId

DocType = Literal["decision", "certificate", "confirmation", "extract"]
FieldStatus = Literal["accepted", "review"]
RecordField = Literal[
    "doc_type",
    "doc_number",
    "issue_date",
    "issuer",
    "subject",
    "full_name",
    "date_of_birth",
    "sex",
    "personal_id",
    "address",
    "signer",
]
"""The canonical fields of a digitized record (issue 7), in catalogue order."""
RECORD_FIELDS: tuple[str, ...] = get_args(RecordField)


class RecordSearchBody(Purposeful):
    """`POST /v1/records/search`: the holder's ID travels in the body, never in the URL."""

    holder_personal_id: PersonalId | None = Field(
        None, description="the 12-digit ID of the record's holder"
    )
    doc_type: DocType | None = None
    status: FieldStatus | None = Field(
        None, description="`review`: at least one field awaits a person's check"
    )
    limit: int = Field(20, ge=1, le=100)
    cursor: int | None = Field(None, ge=1, description="`next_cursor` of the previous page")


class FieldReviewBody(Purposeful):
    """`POST /v1/records/review`: a person's decision on one field of a digitized record."""

    document_key: str = Field(pattern=r"^[0-9a-f]{64}$", description="the record's document key")
    field: RecordField
    decision: Literal["confirm", "correct"] = Field(
        description="`confirm`: the value read is right; `correct`: replace it with `value`"
    )
    value: str | None = Field(
        None, min_length=1, max_length=500, description="the right value, for `correct`"
    )


class ReviewQueueBody(Purposeful):
    """`POST /v1/records/review-queue`: records with a field the pipeline could not accept."""

    doc_type: DocType | None = None
    limit: int = Field(20, ge=1, le=100)
    cursor: int | None = Field(None, ge=1, description="`next_cursor` of the previous page")


class _View(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FieldView(_View):
    value: str | None
    confidence: float
    status: FieldStatus
    reason: str = Field(description="why the field was accepted or sent to review")
    alternatives: list[str] = Field(
        default_factory=list,
        description="other values the recogniser weighed and could not rule out (for review)",
    )
    reviewed_by: str | None = Field(
        None, description="the client (and person) who confirmed or corrected the value"
    )
    reviewed_at: dt.datetime | None = None


class RecordView(_View):
    record_code: str | None = Field(
        description="the result code (Circular 01/2023/TT-VPCP Art. 10); null until the holder "
        "ID and document type are both accepted"
    )
    document_key: str = Field(description="SHA-256 of the page hashes; also addresses the record")
    doc_type: str | None
    source: str
    page_count: int
    status: FieldStatus
    created_at: dt.datetime
    officer: str = Field(description="the digitizing officer who signed the record")
    batch_id: str | None
    fields: dict[str, FieldView]
    in_review: list[str] = Field(description="names of the fields awaiting review")
    signature_valid: bool = Field(
        description="the stored signature re-verified now against the stored record"
    )
    signature_alg: str = Field(
        description="ES256 or RS256: the officer's personal key; HS256: the installation key"
    )
    signed_by: str = Field(
        description="subject of the officer's certificate carried by the record, or "
        "`installation key`"
    )


class RecordPage(_View):
    records: list[RecordView]
    next_cursor: int | None = Field(description="pass as `cursor` for the next page; null at end")


class BatchView(_View):
    id: str
    state: Literal["running", "finished"]
    officer: str
    started_at: dt.datetime
    finished_at: dt.datetime | None
    records: int = Field(description="records stored under this batch so far")
    records_in_review: int
    summary: dict[str, Any] | None = Field(
        description="the runner's summary (documents, pages, fields accepted and in review, "
        "failures) once the batch has finished"
    )
