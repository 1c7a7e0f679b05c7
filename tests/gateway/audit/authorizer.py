"""A bearer-token authorizer for the audit suites, shaped like the OAuth resource protection."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from gateway.problems import Problem

TOKENS: dict[str, tuple[str, frozenset[str]]] = {
    "admin-token": ("admin-console", frozenset({"admin"})),
    "report-token": ("citizen-desk", frozenset({"transparency.report"})),
    "client-token": ("tax-office", frozenset({"resident.read"})),
}


@dataclass(frozen=True)
class TestCaller:
    client_id: str


async def authorize(request: web.Request, scope: str) -> TestCaller:
    """Deny by default: a known bearer token holding `scope`, or a 401/403 problem."""
    header = request.headers.get("Authorization", "")
    token = header.removeprefix("Bearer ") if header.startswith("Bearer ") else None
    if token is None or token not in TOKENS:
        raise Problem(
            401,
            "unauthorized",
            "Unauthorized",
            "A valid bearer token is required.",
            headers={"WWW-Authenticate": 'Bearer realm="popgate"'},
        )
    client_id, scopes = TOKENS[token]
    if scope not in scopes:
        raise Problem(403, "insufficient-scope", "Forbidden", f"The token lacks scope {scope}.")
    return TestCaller(client_id)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
