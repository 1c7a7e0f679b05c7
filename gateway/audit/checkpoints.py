"""Signed checkpoints: a writer vouches, with the gateway's key, for its chain head at a seq."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from gateway.audit.signing import BadSignature, Signer


@dataclass(frozen=True)
class Checkpoint:
    segment: int
    number: int
    seq: int
    head_hash: str
    final: bool
    signed_at: dt.datetime


def _payload(cp: Checkpoint) -> dict[str, Any]:
    return {
        "seg": cp.segment,
        "n": cp.number,
        "seq": cp.seq,
        "head": cp.head_hash,
        "final": cp.final,
        "iat": int(cp.signed_at.timestamp()),
    }


def checkpoint_row(signer: Signer, cp: Checkpoint) -> dict[str, Any]:
    """The stored form of a checkpoint, its JWS included."""
    return {
        "segment": cp.segment,
        "number": cp.number,
        "seq": cp.seq,
        "head_hash": cp.head_hash,
        "final": cp.final,
        "signed_at": cp.signed_at,
        "jws": signer.sign(_payload(cp)),
    }


def check_checkpoint(signer: Signer, row: dict[str, Any]) -> str | None:
    """Why a stored checkpoint cannot be trusted, or None when its signature covers its columns."""
    try:
        payload = signer.verify(row["jws"])
    except BadSignature as exc:
        return f"bad checkpoint signature ({exc})"
    cp = Checkpoint(
        row["segment"],
        row["number"],
        row["seq"],
        row["head_hash"],
        bool(row["final"]),
        row["signed_at"],
    )
    expected = _payload(cp)
    if payload != expected:
        changed = sorted(k for k in expected if payload.get(k) != expected[k])
        return f"checkpoint columns differ from what was signed ({', '.join(changed)})"
    return None
