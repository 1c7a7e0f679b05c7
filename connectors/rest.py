"""`RestRegistry`: the registry's REST JSON face reached with aiohttp, one session per instance."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import aiohttp
from yarl import URL

from connectors.base import (
    RegistryError,
    ResidentNotFound,
    UpstreamProtocolError,
    UpstreamRejected,
    UpstreamUnavailable,
    check_health,
    chunks,
    gather_batches,
    lookup_result,
    verification,
)
from connectors.resilience import Guard, ResiliencePolicy
from connectors.signing import Credentials, sign
from schemas.registry import LookupRequest, LookupResult, Verification, VerifyRequest

LOOKUP_PATH = "/v1/residents:lookup"
VERIFY_PATH = "/v1/residents:verify"
VERIFY_BATCH_PATH = "/v1/residents:verify-batch"
MAX_ANSWER_BYTES = 8 * 1024 * 1024


class RestRegistry:
    def __init__(
        self,
        base_url: str,
        credentials: Credentials,
        *,
        policy: ResiliencePolicy | None = None,
        guard: Guard | None = None,
    ) -> None:
        self._base = base_url.rstrip("/")
        self._prefix = URL(self._base).raw_path.rstrip("/")
        self._credentials = credentials
        self._guard = guard or Guard(policy or ResiliencePolicy())
        policy = self._guard.policy
        self._session = aiohttp.ClientSession(
            # The guard bounds each whole attempt; the session bounds only the connect.
            timeout=aiohttp.ClientTimeout(total=None, sock_connect=policy.connect_timeout),
            connector=aiohttp.TCPConnector(limit=policy.max_concurrency, keepalive_timeout=30),
            raise_for_status=False,
        )

    @property
    def guard(self) -> Guard:
        return self._guard

    async def _post(self, path: str, payload: dict[str, Any]) -> Any:
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        headers = sign(self._credentials, "POST", self._prefix + path, body)
        headers["Content-Type"] = "application/json"
        try:
            async with self._session.post(self._base + path, data=body, headers=headers) as resp:
                raw = await read_limited(resp)
                return _decode(resp.status, resp.content_type, raw)
        except aiohttp.ClientError as exc:
            raise UpstreamUnavailable(
                f"cannot reach the population registry ({type(exc).__name__})"
            ) from None

    async def lookup(self, request: LookupRequest) -> LookupResult:
        payload = request.model_dump(mode="json")
        data = await self._guard.call(lambda: self._post(LOOKUP_PATH, payload), idempotent=True)
        fields = data.get("fields") if isinstance(data, dict) else None
        if not isinstance(fields, dict):
            raise UpstreamProtocolError("the registry's lookup answer has no fields object")
        return lookup_result(request, fields)

    async def verify(self, request: VerifyRequest) -> Verification:
        payload = request.model_dump(mode="json")
        data = await self._guard.call(lambda: self._post(VERIFY_PATH, payload), idempotent=True)
        return verification(data)

    async def _verify_chunk(self, chunk: Sequence[VerifyRequest]) -> list[Verification]:
        payload = {"requests": [r.model_dump(mode="json") for r in chunk]}
        data = await self._guard.call(
            lambda: self._post(VERIFY_BATCH_PATH, payload), idempotent=True
        )
        results = data.get("results") if isinstance(data, dict) else None
        if not isinstance(results, list) or len(results) != len(chunk):
            raise UpstreamProtocolError("the registry's batch answer does not match the batch")
        return [verification(item) for item in results]

    async def verify_batch(
        self, requests: Sequence[VerifyRequest]
    ) -> list[Verification | RegistryError]:
        """Any number of requests, sent in chunks of 1,000; a failed chunk fails its items only."""
        return await gather_batches(chunks(requests), self._verify_chunk)

    async def _health(self) -> None:
        await check_health(self._session, self._base)

    async def ping(self) -> None:
        await self._guard.call(self._health, idempotent=False)

    async def close(self) -> None:
        await self._session.close()


async def read_limited(resp: aiohttp.ClientResponse) -> bytes:
    if resp.content_length is not None:
        if resp.content_length > MAX_ANSWER_BYTES:
            raise UpstreamProtocolError("the registry's answer is too large")
        return await resp.read()
    raw = bytearray()
    async for chunk in resp.content.iter_chunked(65536):
        raw += chunk
        if len(raw) > MAX_ANSWER_BYTES:
            raise UpstreamProtocolError("the registry's answer is too large")
    return bytes(raw)


def _decode(status: int, content_type: str, raw: bytes) -> Any:
    if status == 200:
        if content_type != "application/json":
            raise UpstreamProtocolError("the registry answered with a non-JSON body")
        try:
            return json.loads(raw)
        except ValueError:
            raise UpstreamProtocolError("the registry answered with malformed JSON") from None
    code = _error_code(raw)
    if status == 404:
        raise ResidentNotFound()
    if status in (400, 401, 403, 413, 415, 422):
        raise UpstreamRejected(f"the population registry rejected the request ({code or status})")
    if status >= 500:
        raise UpstreamUnavailable(f"the population registry answered {status}")
    raise UpstreamProtocolError(f"the population registry answered an unexpected {status}")


def _error_code(raw: bytes) -> str | None:
    """The contract's stable error code (`type`), never the free-text message."""
    try:
        data = json.loads(raw)
    except ValueError:
        return None
    code = data.get("type") if isinstance(data, dict) else None
    return code if isinstance(code, str) and code.replace(".", "").isalnum() else None
