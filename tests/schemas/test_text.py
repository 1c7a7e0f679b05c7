"""Vietnamese text: NFC storage and name keys (DOMAIN.md, digitization rules)."""

import unicodedata

from pydantic import BaseModel

from schemas.text import NfcStr, name_key, name_key_ascii, to_nfc


def test_nfd_input_is_stored_as_nfc() -> None:
    class M(BaseModel):
        name: NfcStr

    nfd = unicodedata.normalize("NFD", "Nguyễn Thị Ánh")
    assert nfd != "Nguyễn Thị Ánh"
    assert M(name=nfd).name == "Nguyễn Thị Ánh"
    assert unicodedata.is_normalized("NFC", M(name="  Lê \t Văn  Đức ").name)
    assert M(name="  Lê \t Văn  Đức ").name == "Lê Văn Đức"


def test_name_key_ignores_case_spacing_and_normal_form() -> None:
    a = name_key("NGUYỄN  văn   An")
    assert a == name_key(unicodedata.normalize("NFD", "Nguyễn Văn An"))
    assert a == "nguyễn văn an"


def test_name_key_keeps_diacritics_but_ascii_key_drops_them() -> None:
    assert name_key("Đặng Thị Hoa") != name_key("Dang Thi Hoa")
    assert name_key_ascii("Đặng Thị Hoa") == name_key_ascii("dang  THI hoa") == "dang thi hoa"


def test_eth_lookalike_is_read_as_d_with_stroke() -> None:
    assert name_key("\u00d0ỗ Văn Nam") == name_key("Đỗ Văn Nam")
    assert to_nfc("e\u0301") == "é"
