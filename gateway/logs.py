"""Structured JSON logs with the request's correlation id, and personal IDs masked."""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging
import re
import sys
from typing import Any

correlation_id: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "correlation_id", default=None
)

# A 12-digit personal ID or a 9-digit old ID number standing alone (DOMAIN.md: mask in logs).
_ID_PATTERN = re.compile(r"(?<![0-9A-Za-z])(\d{3})(\d{4}|\d{7})(\d{2})(?![0-9A-Za-z])")
_RESERVED = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}


def mask_ids(text: str) -> str:
    return _ID_PATTERN.sub(lambda m: m[1] + "*" * len(m[2]) + m[3], text)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, correlation id, extras."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": mask_ids(record.getMessage()),
        }
        cid = correlation_id.get()
        if cid:
            entry["correlation_id"] = cid
        for key, value in record.__dict__.items():
            if key not in _RESERVED and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = mask_ids(self.formatException(record.exc_info))
        return mask_ids(json.dumps(entry, ensure_ascii=False, default=str))


def configure(level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # aiohttp's access log repeats what our request log says, with raw paths.
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
