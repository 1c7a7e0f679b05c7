"""Helpers shared by the CLI commands: settings, logging and running coroutines."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

import click
from pydantic import ValidationError

from gateway import logs
from schemas.settings import Settings

T = TypeVar("T")


def load_settings(**overrides: Any) -> Settings:
    values = {k: v for k, v in overrides.items() if v is not None}
    try:
        settings = Settings(**values)
    except ValidationError as exc:
        problems = "; ".join(
            f"POPGATE_{'_'.join(map(str, e['loc'])).upper()}: {e['msg']}" for e in exc.errors()
        )
        raise click.ClickException(f"invalid settings: {problems}") from None
    logs.configure(settings.log_level)
    return settings


def run(coro: Coroutine[Any, Any, T]) -> T:
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coro)
    return uvloop.run(coro)
