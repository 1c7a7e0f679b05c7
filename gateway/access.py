"""Who asks, for what purpose and why: the context every resident data operation carries."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass

from aiohttp import web

from gateway.oauth.protect import Caller
from schemas.api import Purposeful


@dataclass(frozen=True)
class AccessContext:
    caller: Caller
    purpose: str
    reason: str
    case_ref: str | None = None
    actor: str | None = None  # the acting user or unit (X-Road userId, or X-Acting-User)
    request_hash: str | None = None


def access_context(
    request: web.Request, caller: Caller, body: Purposeful, raw: bytes
) -> AccessContext:
    """The context of a data request: who, for what purpose, why, and a hash of what was sent."""
    actor = request.headers.get("X-Acting-User")
    return AccessContext(
        caller=caller,
        purpose=body.purpose,
        reason=body.reason,
        case_ref=body.case_ref,
        actor=actor[:100] if actor else None,
        request_hash=base64.b64encode(hashlib.sha256(raw).digest()).decode(),
    )
