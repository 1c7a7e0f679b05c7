"""Fault injection for tests and benchmarks: added latency, errors, hangs and garbled answers."""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass, field

from aiohttp import web
from aiohttp.typedefs import Handler


@dataclass
class Faults:
    """Mutable at run time (tests flip them on a live server); rates are probabilities 0..1."""

    latency_ms: float = 0.0
    error_rate: float = 0.0  # answer Server.Unavailable (HTTP 503)
    timeout_rate: float = 0.0  # hang for `hang_seconds` before answering
    garble_rate: float = 0.0  # answer 200 with a corrupted body
    hang_seconds: float = 30.0
    fail_next: int = 0  # answer the next N calls Server.Unavailable, then recover
    calls: int = 0  # contract calls that reached the fault layer (signed and within size)
    rng: random.Random = field(default_factory=random.Random)

    def roll(self, rate: float) -> bool:
        return rate > 0 and self.rng.random() < rate


def garble(body: bytes) -> bytes:
    """Cut the answer short and append noise: neither valid JSON nor well-formed XML."""
    return body[: len(body) // 2] + b"\x00<<garbled>>{"


async def apply(
    faults: Faults, request: web.Request, handler: Handler, unavailable: web.Response
) -> web.StreamResponse:
    faults.calls += 1
    if faults.latency_ms:
        await asyncio.sleep(faults.latency_ms / 1000)
    if faults.roll(faults.timeout_rate):
        await asyncio.sleep(faults.hang_seconds)
    if faults.fail_next > 0:
        faults.fail_next -= 1
        return unavailable
    if faults.roll(faults.error_rate):
        return unavailable
    response = await handler(request)
    if faults.roll(faults.garble_rate) and isinstance(response, web.Response) and response.body:
        body = response.body
        if isinstance(body, bytes | bytearray):
            response.body = garble(bytes(body))
    return response
