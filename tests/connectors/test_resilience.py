"""Timeouts, retries, the circuit breaker and garbled answers, against a sandbox with faults."""

from __future__ import annotations

import pytest

from connectors.base import (
    UpstreamProtocolError,
    UpstreamTimeout,
    UpstreamUnavailable,
)
from connectors.resilience import BreakerState, Guard
from schemas.registry import LookupRequest, Verification, VerifyRequest
from tests.connectors.conftest import Sandbox, build, fast_policy


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def verify_request(sandbox: Sandbox) -> VerifyRequest:
    person = sandbox.resident(0)
    return VerifyRequest(
        personal_id=person["personal_id"],
        full_name=person["full_name"],
        date_of_birth=person["date_of_birth"],
    )


async def test_transient_errors_are_retried_until_success(kind: str, sandbox: Sandbox) -> None:
    sandbox.faults.fail_next = 2
    connector = build(kind, sandbox.url, sandbox.credentials, Guard(fast_policy(retries=2)))
    try:
        verdict = await connector.verify(verify_request(sandbox))
    finally:
        await connector.close()
    assert verdict.match
    assert sandbox.faults.calls == 3


async def test_retries_are_bounded(kind: str, sandbox: Sandbox) -> None:
    sandbox.faults.error_rate = 1.0
    connector = build(kind, sandbox.url, sandbox.credentials, Guard(fast_policy(retries=2)))
    try:
        with pytest.raises(UpstreamUnavailable):
            await connector.verify(verify_request(sandbox))
    finally:
        await connector.close()
    assert sandbox.faults.calls == 3


async def test_a_hanging_upstream_raises_timeout(kind: str, sandbox: Sandbox) -> None:
    sandbox.faults.timeout_rate = 1.0
    guard = Guard(fast_policy(total_timeout=0.2, retries=0))
    connector = build(kind, sandbox.url, sandbox.credentials, guard)
    try:
        with pytest.raises(UpstreamTimeout):
            await connector.verify(verify_request(sandbox))
    finally:
        await connector.close()


async def test_a_garbled_answer_is_a_protocol_error_never_data(kind: str, sandbox: Sandbox) -> None:
    sandbox.faults.garble_rate = 1.0
    person = sandbox.resident(1)
    connector = build(kind, sandbox.url, sandbox.credentials)
    request = LookupRequest(
        personal_id=person["personal_id"],
        fields=["full_name", "household"],
        purpose="TEST",
        reason="kiểm tra",
        requesting_unit="unit",
    )
    try:
        with pytest.raises(UpstreamProtocolError):
            await connector.lookup(request)
        with pytest.raises(UpstreamProtocolError):
            await connector.verify(verify_request(sandbox))
    finally:
        await connector.close()
    assert sandbox.faults.calls == 2  # a garbled answer is not retried


async def test_breaker_opens_fails_fast_probes_and_recovers(kind: str, sandbox: Sandbox) -> None:
    clock = FakeClock()
    guard = Guard(fast_policy(retries=0, breaker_failures=2, breaker_reset=30.0), clock=clock)
    connector = build(kind, sandbox.url, sandbox.credentials, guard)
    request = verify_request(sandbox)
    try:
        sandbox.faults.error_rate = 1.0
        for _ in range(2):
            with pytest.raises(UpstreamUnavailable):
                await connector.verify(request)
        assert guard.breaker.state is BreakerState.OPEN
        sandbox.faults.error_rate = 0.0
        with pytest.raises(UpstreamUnavailable, match="circuit open"):
            await connector.verify(request)
        assert sandbox.faults.calls == 2  # failing fast: the upstream saw nothing

        clock.now += 31  # half-open: one probe goes out, and fails
        sandbox.faults.error_rate = 1.0
        with pytest.raises(UpstreamUnavailable):
            await connector.verify(request)
        assert guard.breaker.state is BreakerState.OPEN
        assert sandbox.faults.calls == 3

        clock.now += 31  # the upstream has recovered: the probe succeeds and closes the circuit
        sandbox.faults.error_rate = 0.0
        assert (await connector.verify(request)).match
        assert guard.breaker.state is BreakerState.CLOSED
        assert isinstance(await connector.verify(request), Verification)
    finally:
        await connector.close()


async def test_upstream_down_is_unavailable(kind: str, sandbox: Sandbox) -> None:
    connector = build(kind, "http://127.0.0.1:9", sandbox.credentials)
    try:
        with pytest.raises(UpstreamUnavailable):
            await connector.verify(verify_request(sandbox))
        with pytest.raises(UpstreamUnavailable):
            await connector.ping()
    finally:
        await connector.close()


async def test_a_failed_batch_chunk_fails_only_its_items(kind: str, sandbox: Sandbox) -> None:
    people = list(sandbox.residents.values())[:1001]
    requests = [
        VerifyRequest(
            personal_id=p["personal_id"], full_name=p["full_name"], date_of_birth=p["date_of_birth"]
        )
        for p in people
    ]
    sandbox.faults.fail_next = 1
    guard = Guard(fast_policy(retries=0))
    connector = build(kind, sandbox.url, sandbox.credentials, guard)
    try:
        verdicts = await connector.verify_batch(requests)
    finally:
        await connector.close()
    failed = [v for v in verdicts if isinstance(v, UpstreamUnavailable)]
    answered = [v for v in verdicts if isinstance(v, Verification)]
    assert len(verdicts) == 1001
    assert {len(failed), len(answered)} == {1, 1000}
    assert all(v.match for v in answered)
