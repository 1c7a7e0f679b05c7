"""Signed requests: a wrong signature, a stale timestamp or a replayed nonce is refused."""

from __future__ import annotations

import json

import aiohttp
import pytest

from connectors.signing import (
    HEADER_SIGNATURE,
    HEADER_TIME,
    Credentials,
    SignatureRejected,
    Verifier,
    sign,
)
from tests.connectors.conftest import Sandbox

PATH = "/v1/residents:verify"


def body_for(sandbox: Sandbox) -> bytes:
    person = sandbox.resident(0)
    return json.dumps(
        {
            "personal_id": person["personal_id"],
            "full_name": person["full_name"],
            "date_of_birth": person["date_of_birth"],
        }
    ).encode()


async def post(sandbox: Sandbox, headers: dict[str, str], body: bytes) -> tuple[int, dict]:
    async with aiohttp.ClientSession() as session:
        async with session.post(
            sandbox.url + PATH,
            data=body,
            headers={**headers, "Content-Type": "application/json"},
        ) as resp:
            return resp.status, await resp.json()


async def test_a_correctly_signed_request_is_answered(sandbox: Sandbox) -> None:
    body = body_for(sandbox)
    status, answer = await post(sandbox, sign(sandbox.credentials, "POST", PATH, body), body)
    assert status == 200 and answer["match"] is True


async def test_a_wrong_signature_is_unauthorized(sandbox: Sandbox) -> None:
    body = body_for(sandbox)
    headers = sign(sandbox.credentials, "POST", PATH, body)
    headers[HEADER_SIGNATURE] = sign(sandbox.credentials, "POST", PATH, b"{}")[HEADER_SIGNATURE]
    status, answer = await post(sandbox, headers, body)
    assert status == 401
    assert answer == {
        "type": "Client.Unauthorized",
        "message": "signature rejected: wrong signature",
    }
    assert sandbox.faults.calls == 0


async def test_a_body_changed_after_signing_is_unauthorized(sandbox: Sandbox) -> None:
    body = body_for(sandbox)
    headers = sign(sandbox.credentials, "POST", PATH, body)
    status, _ = await post(sandbox, headers, body.replace(b"date", b"date", 1) + b" ")
    assert status == 401


async def test_a_stale_timestamp_is_unauthorized(sandbox: Sandbox) -> None:
    body = body_for(sandbox)
    headers = sign(sandbox.credentials, "POST", PATH, body, now=lambda: 1_000_000.0)
    status, answer = await post(sandbox, headers, body)
    assert status == 401 and answer["message"] == "signature rejected: stale timestamp"


async def test_a_replayed_request_is_unauthorized(sandbox: Sandbox) -> None:
    body = body_for(sandbox)
    headers = sign(sandbox.credentials, "POST", PATH, body)
    first, _ = await post(sandbox, headers, body)
    second, answer = await post(sandbox, headers, body)
    assert (first, second) == (200, 401)
    assert answer["message"] == "signature rejected: replayed request"


async def test_unsigned_requests_are_unauthorized(sandbox: Sandbox) -> None:
    status, answer = await post(sandbox, {}, body_for(sandbox))
    assert status == 401 and answer["type"] == "Client.Unauthorized"


def test_verifier_refuses_unknown_access_keys_and_another_path() -> None:
    creds = Credentials.generate()
    verifier = Verifier({creds.access_key: creds}, now=lambda: 5_000.0)
    headers = sign(creds, "POST", "/soap", b"<x/>", now=lambda: 5_000.0)
    with pytest.raises(SignatureRejected, match="wrong signature"):
        verifier.verify("POST", "/v1/residents:lookup", headers, b"<x/>")
    other = Credentials.generate()
    with pytest.raises(SignatureRejected, match="unknown"):
        Verifier({other.access_key: other}).verify("POST", "/soap", headers, b"<x/>")
    assert verifier.verify("POST", "/soap", headers, b"<x/>") == creds.app_name


def test_timestamps_within_the_skew_window_are_accepted() -> None:
    creds = Credentials.generate()
    verifier = Verifier({creds.access_key: creds}, max_skew=300, now=lambda: 10_000.0)
    ok = sign(creds, "POST", "/p", b"", now=lambda: 10_000.0 - 299)
    assert verifier.verify("POST", "/p", ok, b"") == creds.app_name
    late = sign(creds, "POST", "/p", b"", now=lambda: 10_000.0 + 301)
    with pytest.raises(SignatureRejected, match="stale"):
        verifier.verify("POST", "/p", late, b"")
    garbled = {**ok, HEADER_TIME: "yesterday"}
    with pytest.raises(SignatureRejected, match="malformed"):
        verifier.verify("POST", "/p", garbled, b"")


def test_credentials_never_show_the_secret() -> None:
    creds = Credentials.generate()
    assert creds.secret_key not in repr(creds)
