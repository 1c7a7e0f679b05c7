"""Choosing and building the registry connector from plain settings values."""

from __future__ import annotations

from typing import Literal

from connectors.base import PopulationRegistry
from connectors.resilience import ResiliencePolicy
from connectors.rest import RestRegistry
from connectors.signing import Credentials
from connectors.soap import SoapRegistry


def create_registry(
    protocol: Literal["soap", "rest"] | str,
    base_url: str,
    credentials: Credentials,
    policy: ResiliencePolicy | None = None,
) -> PopulationRegistry:
    """A connector with its own connection pool; call inside the running event loop."""
    if protocol == "rest":
        return RestRegistry(base_url, credentials, policy=policy)
    if protocol == "soap":
        return SoapRegistry(base_url, credentials, policy=policy)
    raise ValueError(f"unknown registry protocol {protocol!r}: use 'rest' or 'soap'")
