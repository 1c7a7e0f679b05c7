"""The registry's operations over the resident store, shared by the REST and SOAP faces."""

from __future__ import annotations

import datetime as dt
from typing import Any

from connectors.sandbox.errors import NOT_FOUND, ContractError
from connectors.sandbox.store import ResidentStore
from schemas.registry import (
    NOT_FOUND as NO_RESIDENT,
)
from schemas.registry import (
    LookupRequest,
    Verification,
    VerifyRequest,
    verify_against,
)


class RegistryService:
    def __init__(self, store: ResidentStore) -> None:
        self.store = store

    async def lookup(self, request: LookupRequest) -> dict[str, Any]:
        """The requested fields, JSON-ready, in catalogue order."""
        data = await self.store.get(request.personal_id.digits)
        if data is None:
            raise ContractError(NOT_FOUND, "no resident with this personal ID")
        return {name: data.get(name) for name in request.fields}

    async def verify(self, request: VerifyRequest) -> Verification:
        data = await self.store.get(request.personal_id.digits)
        return _verdict(request, data)

    async def verify_batch(self, requests: tuple[VerifyRequest, ...]) -> list[Verification]:
        found = await self.store.get_many(r.personal_id.digits for r in requests)
        return [_verdict(r, found.get(r.personal_id.digits)) for r in requests]


def _verdict(request: VerifyRequest, data: dict[str, Any] | None) -> Verification:
    if data is None:
        return NO_RESIDENT
    return verify_against(request, data["full_name"], dt.date.fromisoformat(data["date_of_birth"]))
