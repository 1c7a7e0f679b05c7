"""The `PopulationRegistry` protocol every connector implements, and its typed errors."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, Protocol, runtime_checkable

import aiohttp
from pydantic import ValidationError

from schemas.registry import MAX_BATCH, LookupRequest, LookupResult, Verification, VerifyRequest


class RegistryError(Exception):
    """A registry call failed. Messages are safe to show and log: they never hold an ID."""

    default_message = "the population registry call failed"

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.default_message)


class ResidentNotFound(RegistryError):
    default_message = "no resident with this personal ID"


class UpstreamUnavailable(RegistryError):
    """The registry is down, refused the connection, answered 5xx, or the breaker is open."""

    default_message = "the population registry is unavailable"


class UpstreamTimeout(UpstreamUnavailable):
    default_message = "the population registry did not answer in time"


class UpstreamRejected(RegistryError):
    """The registry refused the request itself (invalid request, credentials, signature)."""

    default_message = "the population registry rejected the request"


class UpstreamProtocolError(RegistryError):
    """The answer was garbled or broke the contract; it is never passed on as data."""

    default_message = "the population registry answered outside its contract"


@runtime_checkable
class PopulationRegistry(Protocol):
    async def lookup(self, request: LookupRequest) -> LookupResult: ...

    async def verify(self, request: VerifyRequest) -> Verification: ...

    async def verify_batch(
        self, requests: Sequence[VerifyRequest]
    ) -> list[Verification | RegistryError]: ...

    async def ping(self) -> None: ...

    async def close(self) -> None: ...


def lookup_result(request: LookupRequest, fields: Mapping[str, Any]) -> LookupResult:
    """Check an upstream answer against the request: only requested names, each well typed."""
    extra = set(fields) - set(request.fields)
    if extra:
        raise UpstreamProtocolError("the registry returned fields that were not requested")
    try:
        return LookupResult(fields={name: fields.get(name) for name in request.fields})
    except (ValidationError, ValueError):
        raise UpstreamProtocolError("the registry returned values of the wrong type") from None


def verification(data: Any) -> Verification:
    try:
        return Verification.model_validate(data)
    except ValidationError:
        raise UpstreamProtocolError("the registry returned a malformed verification") from None


def chunks(items: Sequence[VerifyRequest], size: int = MAX_BATCH) -> list[Sequence[VerifyRequest]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


async def gather_batches(
    parts: list[Sequence[VerifyRequest]],
    send: Callable[[Sequence[VerifyRequest]], Awaitable[list[Verification]]],
) -> list[Verification | RegistryError]:
    """Send the chunks concurrently; a chunk that fails yields its error for each of its items."""
    answers = await asyncio.gather(*(send(p) for p in parts), return_exceptions=True)
    out: list[Verification | RegistryError] = []
    for part, answer in zip(parts, answers, strict=True):
        if isinstance(answer, RegistryError):
            out.extend([answer] * len(part))
        elif isinstance(answer, BaseException):
            raise answer
        else:
            out.extend(answer)
    return out


HEALTH_PATH = "/healthz"


async def check_health(session: aiohttp.ClientSession, base_url: str) -> None:
    """The registry's health endpoint answers 200, or `UpstreamUnavailable`."""
    try:
        async with session.get(base_url.rstrip("/") + HEALTH_PATH) as resp:
            if resp.status != 200:
                raise UpstreamUnavailable(f"the registry's health check answered {resp.status}")
    except aiohttp.ClientError as exc:
        raise UpstreamUnavailable(
            f"cannot reach the population registry ({type(exc).__name__})"
        ) from None
