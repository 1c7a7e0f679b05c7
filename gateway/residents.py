"""The resident data API's logic, shared by the REST and SOAP faces.

Each operation runs the same steps: policy (deny by default), rate and quota, the registry call,
and the audit event, which is committed before any data is returned (DESIGN.md).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass

from aiohttp import web
from pydantic import ValidationError

from connectors.base import (
    RegistryError,
    ResidentNotFound,
    UpstreamProtocolError,
    UpstreamRejected,
    UpstreamTimeout,
    UpstreamUnavailable,
)
from gateway.access import AccessContext
from gateway.auditing import AUDIT, record_or_refuse
from gateway.bodies import validation_errors
from gateway.keys import DATABASE
from gateway.logs import correlation_id
from gateway.policy import PolicyCache
from gateway.problems import Problem, not_found
from gateway.ratelimit import RATE_LIMITER, enforce
from gateway.registry import REGISTRY
from schemas.api import ItemError, Matched, VerifyBatchItem, VerifyItem
from schemas.audit import AuditEvent, EventType, Outcome
from schemas.grants import Decision, Denial, DenialReason
from schemas.personal_id import PersonalId
from schemas.registry import LookupRequest, NameMatch, Verification, VerifyRequest

VERIFY_FIELDS = ("personal_id", "full_name", "date_of_birth")


@dataclass(frozen=True)
class LookupOutcome:
    fields: dict[str, object]
    withheld: tuple[str, ...]


def upstream_problem(exc: RegistryError) -> Problem:
    """Map a registry failure to its HTTP answer (RFC 9457), with `Retry-After` where it helps."""
    if isinstance(exc, ResidentNotFound):
        return not_found("No resident with this personal ID.")
    if isinstance(exc, UpstreamTimeout):
        return Problem(504, "upstream-timeout", "Registry timed out", str(exc))
    if isinstance(exc, UpstreamUnavailable):
        return Problem(
            503,
            "upstream-unavailable",
            "Registry unavailable",
            str(exc),
            headers={"Retry-After": "5"},
        )
    if isinstance(exc, UpstreamProtocolError | UpstreamRejected):
        return Problem(502, "upstream-error", "Registry answered badly", str(exc))
    return Problem(502, "upstream-error", "Registry call failed", str(exc))


def _outcome_of(exc: RegistryError) -> Outcome:
    return Outcome.NOT_FOUND if isinstance(exc, ResidentNotFound) else Outcome.ERROR


class Residents:
    """The operations, bound to one application's resources."""

    def __init__(self, app: web.Application) -> None:
        self.app = app
        self.policy = PolicyCache()

    async def audit(self, event: AuditEvent) -> None:
        await record_or_refuse(self.app, event)

    def event(
        self,
        ctx: AccessContext,
        type_: EventType,
        outcome: Outcome,
        *,
        resident: PersonalId | None,
        decision: Decision | None = None,
        returned: Sequence[str] = (),
        withheld: Sequence[str] = (),
        detail: str | None = None,
    ) -> AuditEvent:
        now = dt.datetime.now(dt.UTC)
        return AuditEvent(
            type=type_,
            outcome=outcome,
            occurred_at=now,
            client_id=ctx.caller.client_id,
            actor=ctx.actor,
            purpose=ctx.purpose,
            reason=ctx.reason,
            case_ref=ctx.case_ref,
            legal_basis=decision.legal_basis if decision else None,
            grant_id=decision.grant.grant_id if decision else None,
            resident=resident,
            fields_returned=tuple(returned),
            fields_withheld=tuple(withheld),
            detail=detail,
            correlation_id=correlation_id.get(),
            request_hash=ctx.request_hash,
            hidden_until=decision.hidden_until(now) if decision else None,
        )

    async def authorize(
        self,
        ctx: AccessContext,
        fields: Sequence[str],
        resident: PersonalId | None,
        *,
        cost: int = 1,
        all_fields: bool = False,
    ) -> Decision:
        """Policy, then rate and quota; every refusal is audited before it is answered.
        `all_fields`: every field named must be granted (a verification discloses whether the
        ID, name and date of birth belong together, so it needs a grant covering all three)."""
        verdict = await self.policy.evaluate(
            self.app[DATABASE],
            ctx.caller.client_id,
            fields,
            ctx.purpose,
            ctx.caller.policy_epoch,
        )
        if all_fields and isinstance(verdict, Decision) and verdict.withheld:
            verdict = Denial(
                reason=DenialReason.FIELDS_NOT_GRANTED,
                detail="Verification needs a grant covering personal_id, full_name and "
                "date_of_birth for this purpose.",
                withheld=verdict.withheld,
            )
        if isinstance(verdict, Denial):
            await self.audit(
                self.event(
                    ctx,
                    EventType.DATA_REFUSED,
                    Outcome.DENIED,
                    resident=resident,
                    withheld=verdict.withheld,
                    detail=verdict.reason.value,
                )
            )
            raise Problem(
                403,
                "access-denied",
                "Access denied",
                verdict.detail,
                extra={"reason": verdict.reason.value, "withheld": list(verdict.withheld)},
            )
        await enforce(
            self.app[RATE_LIMITER],
            self.app[AUDIT],
            client_id=ctx.caller.client_id,
            grant_id=verdict.grant.grant_id,
            daily_quota=verdict.daily_quota,
            purpose=ctx.purpose,
            resident=resident,
            correlation_id=correlation_id.get(),
            cost=cost,
        )
        return verdict

    async def lookup(
        self, ctx: AccessContext, personal_id: PersonalId, fields: Sequence[str]
    ) -> LookupOutcome:
        decision = await self.authorize(ctx, fields, personal_id)
        request = LookupRequest(
            personal_id=personal_id,
            fields=decision.allowed,
            purpose=ctx.purpose,
            reason=ctx.reason,
            requesting_unit=ctx.caller.client_id,
        )
        try:
            result = await self.app[REGISTRY].lookup(request)
        except RegistryError as exc:
            await self.audit(
                self.event(
                    ctx,
                    EventType.DATA_ACCESS,
                    _outcome_of(exc),
                    resident=personal_id,
                    decision=decision,
                    withheld=decision.withheld,
                    detail=type(exc).__name__,
                )
            )
            raise upstream_problem(exc) from None
        await self.audit(
            self.event(
                ctx,
                EventType.DATA_ACCESS,
                Outcome.OK,
                resident=personal_id,
                decision=decision,
                returned=decision.allowed,
                withheld=decision.withheld,
            )
        )
        return LookupOutcome(result.fields, decision.withheld)

    async def verify(self, ctx: AccessContext, item: VerifyItem) -> Verification:
        decision = await self.authorize(ctx, VERIFY_FIELDS, item.personal_id, all_fields=True)
        outcome: Verification | RegistryError
        try:
            outcome = await self.app[REGISTRY].verify(_verify_request(item))
        except RegistryError as exc:
            outcome = exc
        answer = await self._audited(ctx, decision, item, outcome)
        if isinstance(answer, Problem):
            raise answer
        return answer

    async def verify_batch(
        self, ctx: AccessContext, raw_items: Sequence[object]
    ) -> list[VerifyBatchItem]:
        """Each item is validated, verified and audited on its own; one bad item fails alone.
        The valid items go to the registry as batches (the connector sends 1,000 at a time)."""
        parsed: list[VerifyItem | Problem] = [_parse_item(raw) for raw in raw_items]
        valid = [p for p in parsed if isinstance(p, VerifyItem)]
        decision = await self.authorize(
            ctx, VERIFY_FIELDS, None, cost=max(1, len(valid)), all_fields=True
        )
        outcomes: list[Verification | RegistryError]
        try:
            outcomes = await self.app[REGISTRY].verify_batch([_verify_request(i) for i in valid])
        except RegistryError as exc:
            outcomes = [exc] * len(valid)
        answers = iter(
            await asyncio.gather(
                *(self._audited(ctx, decision, i, o) for i, o in zip(valid, outcomes, strict=True))
            )
        )
        results = []
        for index, item in enumerate(parsed):
            answer = item if isinstance(item, Problem) else next(answers)
            if isinstance(answer, Problem):
                results.append(VerifyBatchItem(index=index, error=_item_error(answer)))
            else:
                results.append(verify_item(index, answer))
        return results

    async def _audited(
        self,
        ctx: AccessContext,
        decision: Decision,
        item: VerifyItem,
        outcome: Verification | RegistryError,
    ) -> Verification | Problem:
        """Record one verification (or its failure) and give what the caller is to be told."""
        if isinstance(outcome, RegistryError):
            await self.audit(
                self.event(
                    ctx,
                    EventType.DATA_VERIFY,
                    _outcome_of(outcome),
                    resident=item.personal_id,
                    decision=decision,
                    detail=type(outcome).__name__,
                )
            )
            return upstream_problem(outcome)
        await self.audit(self._verify_event(ctx, item.personal_id, decision, outcome))
        return outcome

    def _verify_event(
        self, ctx: AccessContext, pid: PersonalId, decision: Decision, result: Verification
    ) -> AuditEvent:
        return self.event(
            ctx,
            EventType.DATA_VERIFY,
            Outcome.OK if result.found else Outcome.NOT_FOUND,
            resident=pid,
            decision=decision,
            detail="match" if result.match else "no match",
        )


def _verify_request(item: VerifyItem) -> VerifyRequest:
    return VerifyRequest(
        personal_id=item.personal_id, full_name=item.full_name, date_of_birth=item.date_of_birth
    )


def _parse_item(raw: object) -> VerifyItem | Problem:
    try:
        return VerifyItem.model_validate_json(json.dumps(raw))
    except ValidationError as exc:
        errors = validation_errors(exc)
        where = ", ".join(e["loc"] for e in errors)
        return Problem(400, "invalid-request", "Invalid item", f"invalid: {where}")


def _item_error(problem: Problem) -> ItemError:
    return ItemError(type=problem.body()["type"], detail=problem.detail or problem.title)


def matched(result: Verification) -> Matched:
    return Matched(
        personal_id=result.found,
        full_name=result.full_name is NameMatch.EXACT,
        date_of_birth=result.date_of_birth,
    )


def verify_item(index: int, result: Verification) -> VerifyBatchItem:
    return VerifyBatchItem(
        index=index, match=result.match, matched=matched(result), name_match=result.full_name.value
    )


RESIDENTS = web.AppKey("residents", Residents)
