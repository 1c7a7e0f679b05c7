"""A digitized record from a validated document: record code, canonical form, signature, export.

The record code of Circular 01/2023/TT-VPCP Art. 10 is built from the holder's identifier and the
result-type code of the national TTHC database; its exact layout is UNVERIFIED (DOMAIN.md), so the
layout and the result-type codes are settings.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

from ocr.context import PageResult
from ocr.signing import RecordSigner, canonical_json
from ocr.validate import FieldResult
from store.records import DigitizedRecord
from store.secretbox import SecretBox

DEFAULT_CODE_LAYOUT = "{holder_id}.{result_type}.{serial}"
DEFAULT_RESULT_TYPES = {
    "decision": "QD",
    "certificate": "GCN",
    "confirmation": "GXN",
    "extract": "TL",
}


@dataclasses.dataclass(frozen=True)
class CodeLayout:
    layout: str = DEFAULT_CODE_LAYOUT
    result_types: Mapping[str, str] = dataclasses.field(
        default_factory=lambda: dict(DEFAULT_RESULT_TYPES)
    )


def document_key(page_hashes: Sequence[str]) -> str:
    """The document's identity: its pages' content hashes, in order."""
    return hashlib.sha256("\n".join(page_hashes).encode()).hexdigest()


def record_code(fields: Mapping[str, FieldResult], key: str, layout: CodeLayout) -> str | None:
    """The result code, or None unless holder ID and document type were both accepted."""
    holder, kind = fields.get("personal_id"), fields.get("doc_type")
    if not holder or not kind or holder.status != "accepted" or kind.status != "accepted":
        return None
    result_type = layout.result_types.get(kind.value or "")
    if not result_type:
        return None
    return layout.layout.format(holder_id=holder.value, result_type=result_type, serial=key[:8])


def build_record(
    *,
    source: str,
    pages: Sequence[PageResult],
    fields: Mapping[str, FieldResult],
    engine: Mapping[str, str],
    officer: str,
    signer: RecordSigner,
    box: SecretBox | None,
    layout: CodeLayout,
    batch_id: str | None,
) -> DigitizedRecord:
    hashes = [p.page_hash for p in pages]
    key = document_key(hashes)
    accepted = sum(1 for f in fields.values() if f.status == "accepted")
    field_json = {name: f.to_json() for name, f in fields.items()}
    text = "\n\f\n".join(p.text for p in pages)
    code = record_code(fields, key, layout)
    holder = fields.get("personal_id")
    holder_hash = (
        box.keyed_hash(holder.value, domain="personal_id")
        if box and holder and holder.value
        else None
    )
    doc_type = fields["doc_type"].value if "doc_type" in fields else None
    record = DigitizedRecord(
        document_key=key,
        record_code=code,
        holder_hash=holder_hash,
        source=source,
        page_hashes=hashes,
        page_count=len(hashes),
        doc_type=doc_type,
        status="accepted" if accepted == len(fields) else "review",
        fields=field_json,
        fields_accepted=accepted,
        fields_review=len(fields) - accepted,
        full_text=text,
        engine=dict(engine),
        officer=officer,
        signature_alg=signer.algorithm,
        signature_key_id=signer.key_id,
        signature="",
        signer_certificate=getattr(signer, "certificate_pem", None),
        batch_id=batch_id,
    )
    record.signature = signer.sign(signed_payload(record))
    return record


def signed_payload(record: DigitizedRecord) -> bytes:
    """The canonical bytes a stored record's signature covers (to verify it later)."""
    return canonical_json(
        {
            "document_key": record.document_key,
            "record_code": record.record_code,
            "source": record.source,
            "page_hashes": record.page_hashes,
            "doc_type": record.doc_type,
            "fields": record.fields,
            "full_text_sha256": hashlib.sha256(record.full_text.encode()).hexdigest(),
            "engine": record.engine,
            "officer": record.officer,
        }
    )


def export_line(record: DigitizedRecord) -> dict[str, Any]:
    """One line of `--export`.

    `{source, pages, doc_type, text, fields: {name: {value, confidence, status}}}`
    """
    return {
        "source": record.source,
        "pages": record.page_count,
        "doc_type": record.doc_type,
        "text": record.full_text,
        "fields": {
            name: {k: f[k] for k in ("value", "confidence", "status")}
            for name, f in record.fields.items()
        },
    }
