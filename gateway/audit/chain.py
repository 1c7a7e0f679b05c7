"""Canonical serialisation and hash chaining of audit events (one chain per writer segment).

An event's hash is SHA-256 over the canonical JSON of every stored column except `id` and `hash`,
including `segment`, `seq` and `prev_hash`: editing any column, moving an event to another
position or splicing one in breaks the link to its successor. The resident is hashed as stored
(keyed hash and ciphertext), so verifying the log never decrypts an ID.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from typing import Any

from schemas.audit import AuditEvent
from store.secretbox import SecretBox

RESIDENT_HASH_DOMAIN = "audit.resident"
RESIDENT_CONTEXT = b"popgate:audit:resident"

# Columns covered by the hash, in the order they are serialised (the order is part of the format).
CHAINED_COLUMNS = (
    "segment",
    "seq",
    "occurred_at",
    "recorded_at",
    "type",
    "outcome",
    "client_id",
    "actor",
    "purpose",
    "reason",
    "case_ref",
    "legal_basis",
    "grant_id",
    "resident_hash",
    "resident_enc",
    "fields_returned",
    "fields_withheld",
    "detail",
    "correlation_id",
    "request_hash",
    "hidden_until",
    "prev_hash",
)


def genesis_hash(segment: int) -> str:
    """The `prev_hash` of a segment's first event."""
    return hashlib.sha256(f"popgate-audit-genesis:{segment}".encode()).hexdigest()


def canonical_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.urlsafe_b64encode(bytes(value)).decode()
    return value


def canonical(row: Mapping[str, Any]) -> bytes:
    """The bytes an event's hash is taken over: a JSON array in `CHAINED_COLUMNS` order."""
    values = [canonical_value(row[name]) for name in CHAINED_COLUMNS]
    return json.dumps(values, ensure_ascii=False, separators=(",", ":")).encode()


def event_hash(row: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical(row)).hexdigest()


def resident_lookup_hash(box: SecretBox, digits: str) -> str:
    """The keyed hash under which a resident's events are found (never the ID itself)."""
    return box.keyed_hash(digits, domain=RESIDENT_HASH_DOMAIN)


def event_row(
    event: AuditEvent,
    box: SecretBox,
    *,
    segment: int,
    seq: int,
    prev_hash: str,
    recorded_at: dt.datetime,
) -> dict[str, Any]:
    """The stored form of `event` at position `seq` of `segment`, hash included."""
    resident_hash: str | None = None
    resident_enc: bytes | None = None
    if event.resident is not None:
        digits = event.resident.digits
        resident_hash = resident_lookup_hash(box, digits)
        resident_enc = box.encrypt(digits.encode(), context=RESIDENT_CONTEXT)
    row: dict[str, Any] = {
        "segment": segment,
        "seq": seq,
        # Microsecond precision is what both SQLite and PostgreSQL keep.
        "occurred_at": event.occurred_at.astimezone(dt.UTC),
        "recorded_at": recorded_at,
        "type": event.type.value,
        "outcome": event.outcome.value,
        "client_id": event.client_id,
        "actor": event.actor,
        "purpose": event.purpose,
        "reason": event.reason,
        "case_ref": event.case_ref,
        "legal_basis": event.legal_basis,
        "grant_id": event.grant_id,
        "resident_hash": resident_hash,
        "resident_enc": resident_enc,
        "fields_returned": json.dumps(list(event.fields_returned)),
        "fields_withheld": json.dumps(list(event.fields_withheld)),
        "detail": event.detail,
        "correlation_id": event.correlation_id,
        "request_hash": event.request_hash,
        "hidden_until": event.hidden_until.astimezone(dt.UTC) if event.hidden_until else None,
        "prev_hash": prev_hash,
    }
    row["hash"] = event_hash(row)
    return row


def decrypt_resident(box: SecretBox, blob: bytes) -> str:
    return box.decrypt(blob, context=RESIDENT_CONTEXT).decode()
