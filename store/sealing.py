"""Personal data of digitized pages and records sealed at rest under the master key.

A record's fields and full text, and a page's recognised words, hold the holder's personal ID,
name, birth date and address. They are stored encrypted (AES-GCM through `SecretBox`), bound to
the row they belong to (the document key, the page hash), so a database dump or backup shows no
personal data and a sealed value moved to another row does not open. What is searched stays in
clear: status, counts, document type, and the holder's keyed hash. Rows written before sealing,
or without a master key, are read as they are.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from store.secretbox import SecretBox, SecretBoxError

_SEALED = "sealed"
_TEXT_PREFIX = "sealed:"


class SealBroken(ValueError):
    """A sealed value does not open: another key, another row, or edited."""


def seal_json(box: SecretBox, value: Any, context: str) -> dict[str, str]:
    raw = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
    blob = box.encrypt(raw, context=context.encode())
    return {_SEALED: base64.b64encode(blob).decode()}


def open_json(box: SecretBox | None, stored: Any, context: str) -> Any:
    if not (isinstance(stored, dict) and set(stored) == {_SEALED}):
        return stored  # written in clear
    if box is None:
        raise SealBroken("the value is sealed and no master key is at hand")
    try:
        return json.loads(box.decrypt(base64.b64decode(stored[_SEALED]), context=context.encode()))
    except (SecretBoxError, ValueError):
        raise SealBroken("the sealed value does not open") from None


def seal_text(box: SecretBox, text: str, context: str) -> str:
    return (
        _TEXT_PREFIX
        + base64.b64encode(box.encrypt(text.encode(), context=context.encode())).decode()
    )


def open_text(box: SecretBox | None, stored: str, context: str) -> str:
    if not stored.startswith(_TEXT_PREFIX):
        return stored
    if box is None:
        raise SealBroken("the text is sealed and no master key is at hand")
    try:
        blob = base64.b64decode(stored[len(_TEXT_PREFIX) :])
        return box.decrypt(blob, context=context.encode()).decode()
    except (SecretBoxError, ValueError):
        raise SealBroken("the sealed text does not open") from None
