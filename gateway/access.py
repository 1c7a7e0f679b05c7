"""Who asks, for what purpose and why: the context every resident data operation carries."""

from __future__ import annotations

from dataclasses import dataclass

from gateway.oauth.protect import Caller


@dataclass(frozen=True)
class AccessContext:
    caller: Caller
    purpose: str
    reason: str
    case_ref: str | None = None
    actor: str | None = None  # the acting user or unit (X-Road userId, or X-Acting-User)
    request_hash: str | None = None
