"""Sealing personal data at rest: round trips, binding to the row, rows written in clear."""

from __future__ import annotations

import os

import pytest

from store.sealing import SealBroken, open_json, open_text, seal_json, seal_text
from store.secretbox import SecretBox

BOX = SecretBox(os.urandom(32))
FIELDS = {"personal_id": {"value": "092085001234", "status": "accepted"}}


def test_sealed_values_open_only_with_the_key_and_where_they_were_sealed() -> None:
    sealed = seal_json(BOX, FIELDS, "digitized_record:fields:abc")
    assert "092085001234" not in str(sealed)
    assert open_json(BOX, sealed, "digitized_record:fields:abc") == FIELDS
    with pytest.raises(SealBroken):
        open_json(BOX, sealed, "digitized_record:fields:other")  # moved to another row
    with pytest.raises(SealBroken):
        open_json(SecretBox(os.urandom(32)), sealed, "digitized_record:fields:abc")
    with pytest.raises(SealBroken):
        open_json(None, sealed, "digitized_record:fields:abc")
    text = seal_text(BOX, "Số định danh cá nhân: 092085001234", "t")
    assert text.startswith("sealed:") and "0920" not in text
    assert open_text(BOX, text, "t") == "Số định danh cá nhân: 092085001234"
    with pytest.raises(SealBroken):
        open_text(BOX, text[:-8] + "AAAAAAA=", "t")


def test_rows_written_in_clear_are_read_as_they_are() -> None:
    assert open_json(BOX, FIELDS, "any") == FIELDS
    assert open_json(None, FIELDS, "any") == FIELDS
    assert open_text(None, "plain text", "any") == "plain text"
