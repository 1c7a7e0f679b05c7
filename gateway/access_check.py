"""`POST /v1/access/check`: a client asks what its grants allow for (fields, purpose), without any
resident data (like X-Road's `allowedMethods` meta-service): the policy decision, or the denial
(audited as a refused data request)."""

from __future__ import annotations

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from gateway import policy
from gateway.bodies import parse_model
from gateway.keys import DATABASE
from gateway.oauth.audit_trail import record
from gateway.oauth.protect import authenticate
from gateway.problems import Problem, bad_request
from schemas.audit import AuditEvent, EventType, Outcome
from schemas.fields import UnknownField
from schemas.grants import Denial

routes = web.RouteTableDef()


class CheckRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    purpose: str = Field(min_length=1, max_length=64)
    fields: tuple[str, ...] = ()


@routes.post("/v1/access/check")
async def check(request: web.Request) -> web.Response:
    caller = await authenticate(request)
    body = parse_model(CheckRequest, await request.read())
    async with request.app[DATABASE].sessions() as session:
        try:
            result = await policy.evaluate(session, caller.client_id, body.fields, body.purpose)
        except UnknownField as exc:
            raise bad_request(str(exc)) from None
    if isinstance(result, Denial):
        await record(
            request,
            AuditEvent(
                type=EventType.DATA_REFUSED,
                outcome=Outcome.DENIED,
                client_id=caller.client_id,
                purpose=body.purpose,
                reason=result.reason.value,
                fields_withheld=result.withheld,
                detail="access check: " + result.detail,
            ),
        )
        raise Problem(
            403,
            "access-denied",
            "Access denied",
            result.detail,
            extra={"reason": result.reason.value, "withheld": list(result.withheld)},
        )
    return web.json_response(
        {
            "allowed": list(result.allowed),
            "withheld": list(result.withheld),
            "grant_id": result.grant.grant_id,
            "legal_basis": result.legal_basis,
            "valid_until": result.grant.valid_until.isoformat()
            if result.grant.valid_until
            else None,
            "daily_quota": result.daily_quota,
        }
    )
