"""Resilience around upstream calls: per-attempt timeout, jittered retries, circuit breaker, cap."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

from connectors.base import (
    RegistryError,
    UpstreamProtocolError,
    UpstreamTimeout,
    UpstreamUnavailable,
)

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class ResiliencePolicy:
    connect_timeout: float = 2.0
    total_timeout: float = 5.0  # one attempt, from sending to the whole answer read
    retries: int = 2  # extra attempts, idempotent reads only
    backoff_base: float = 0.05
    backoff_max: float = 1.0
    breaker_failures: int = 5  # consecutive failures that open the circuit
    breaker_reset: float = 10.0  # seconds open before one probe is let through
    max_concurrency: int = 64


class BreakerState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class CircuitBreaker:
    """Fails fast while the upstream is down; after `reset` seconds lets one probe call through."""

    def __init__(
        self, failures: int, reset: float, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._threshold = failures
        self._reset = reset
        self._clock = clock
        self._failures = 0
        self._opened_at = 0.0
        self._probing = False
        self.state = BreakerState.CLOSED

    def before(self) -> None:
        """Raise `UpstreamUnavailable` when no call may go out now."""
        if self.state is BreakerState.OPEN:
            if self._clock() - self._opened_at < self._reset:
                raise UpstreamUnavailable("the population registry is unavailable (circuit open)")
            self.state = BreakerState.HALF_OPEN
            self._probing = False
        if self.state is BreakerState.HALF_OPEN:
            if self._probing:
                raise UpstreamUnavailable("the population registry is unavailable (probing)")
            self._probing = True

    def success(self) -> None:
        self._failures = 0
        self._probing = False
        self.state = BreakerState.CLOSED

    def failure(self) -> None:
        self._failures += 1
        self._probing = False
        if self.state is BreakerState.HALF_OPEN or self._failures >= self._threshold:
            self.state = BreakerState.OPEN
            self._opened_at = self._clock()


class Guard:
    """Runs each upstream attempt under the policy; one per connector instance."""

    def __init__(
        self,
        policy: ResiliencePolicy,
        *,
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
    ) -> None:
        self.policy = policy
        self.breaker = CircuitBreaker(policy.breaker_failures, policy.breaker_reset, clock=clock)
        self._slots = asyncio.Semaphore(policy.max_concurrency)
        self._rng = rng or random.Random()

    def backoff(self, attempt: int) -> float:
        """Full jitter: uniform in [0, min(max, base * 2**attempt)] spreads retrying clients."""
        ceiling = min(self.policy.backoff_max, self.policy.backoff_base * 2**attempt)
        return self._rng.uniform(0, ceiling)

    async def call(self, attempt: Callable[[], Awaitable[T]], *, idempotent: bool) -> T:
        tries = 1 + (self.policy.retries if idempotent else 0)
        for n in range(tries):
            self.breaker.before()
            try:
                async with self._slots:
                    async with asyncio.timeout(self.policy.total_timeout):
                        result = await attempt()
            except TimeoutError:
                error: UpstreamUnavailable = UpstreamTimeout()
            except UpstreamUnavailable as exc:
                error = exc
            except UpstreamProtocolError:
                self.breaker.failure()
                raise
            except RegistryError:
                # A definite answer (not found, rejected) shows the upstream is alive.
                self.breaker.success()
                raise
            else:
                self.breaker.success()
                return result
            self.breaker.failure()
            if n + 1 == tries:
                raise error
            await asyncio.sleep(self.backoff(n))
        raise AssertionError("unreachable: the loop returns or raises")
