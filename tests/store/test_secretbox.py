"""The master key: encryption at rest and keyed hashes."""

from pathlib import Path

import pytest

from store.secretbox import SecretBox, SecretBoxError, load_master_key


def test_key_is_generated_once_with_owner_only_mode(tmp_path: Path) -> None:
    key = load_master_key(None, tmp_path)
    assert load_master_key(None, tmp_path) == key
    assert (tmp_path / "secret.key").stat().st_mode & 0o777 == 0o600


def test_encrypt_round_trip_and_tamper_detection(tmp_path: Path) -> None:
    box = SecretBox(load_master_key(None, tmp_path))
    blob = box.encrypt(b"092203012345", context=b"audit")
    assert b"092203012345" not in blob
    assert box.decrypt(blob, context=b"audit") == b"092203012345"
    with pytest.raises(SecretBoxError):
        box.decrypt(blob, context=b"other")
    with pytest.raises(SecretBoxError):
        box.decrypt(blob[:-1] + bytes([blob[-1] ^ 1]), context=b"audit")
    other = SecretBox(b"\x01" * 32)
    with pytest.raises(SecretBoxError):
        other.decrypt(blob, context=b"audit")


def test_keyed_hash_is_stable_and_domain_separated() -> None:
    box = SecretBox(b"\x02" * 32)
    assert box.keyed_hash("092203012345") == box.keyed_hash("092203012345")
    assert box.keyed_hash("092203012345") != box.keyed_hash("092203012345", domain="x")
    assert "092203012345" not in box.keyed_hash("092203012345")


def test_configured_key_must_be_32_bytes(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        load_master_key("c2hvcnQ", tmp_path)
