"""PersonalId: layout PPP G YY RRRRRR (Circular 07/2016/TT-BCA), no check digit."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from schemas.personal_id import InvalidPersonalId, OldIdNumber, PersonalId
from schemas.provinces import PROVINCES

TODAY = dt.date(2026, 11, 26)
UNKNOWN_PROVINCES = sorted({f"{n:03d}" for n in range(1000)} - set(PROVINCES))


@st.composite
def valid_ids(draw: st.DrawFn) -> tuple[str, str, int, str]:
    province = draw(st.sampled_from(sorted(PROVINCES)))
    year = draw(st.integers(1900, TODAY.year))
    sex = draw(st.sampled_from(["male", "female"]))
    g = (year // 100 - 19) * 2 + (sex == "female")
    rest = draw(st.text("0123456789", min_size=6, max_size=6))
    return f"{province}{g}{year % 100:02d}{rest}", province, year, sex


@given(valid_ids())
def test_valid_ids_round_trip_and_decode(case: tuple[str, str, int, str]) -> None:
    digits, province, year, sex = case
    pid = PersonalId(digits, today=TODAY)
    assert pid.digits == digits
    assert pid.province_code == province
    assert pid.province == PROVINCES[province]
    assert pid.birth_year == year
    assert pid.sex == sex
    assert pid.consistent_with(dt.date(year, 6, 1), sex)
    assert PersonalId(pid.digits, today=TODAY) == pid


@given(valid_ids(), st.integers(0, 11))
def test_spaces_are_stripped(case: tuple[str, str, int, str], cut: int) -> None:
    digits = case[0]
    assert PersonalId(f" {digits[:cut]} {digits[cut:]} ", today=TODAY).digits == digits


@given(valid_ids())
def test_str_and_repr_never_show_the_number(case: tuple[str, str, int, str]) -> None:
    pid = PersonalId(case[0], today=TODAY)
    assert case[0] not in str(pid) and case[0] not in repr(pid)
    assert str(pid) == case[0][:3] + "*******" + case[0][-2:]


@given(st.text("0123456789", min_size=0, max_size=20).filter(lambda s: len(s) != 12))
def test_wrong_length_is_rejected(digits: str) -> None:
    with pytest.raises(InvalidPersonalId, match="exactly 12 digits"):
        PersonalId(digits)


@given(st.sampled_from(UNKNOWN_PROVINCES), st.text("0123456789", min_size=9, max_size=9))
def test_unknown_province_is_rejected(province: str, rest: str) -> None:
    with pytest.raises(InvalidPersonalId, match="province"):
        PersonalId(province + "0" + rest[:8])


@pytest.mark.parametrize(
    "raw",
    ["09220301234", "0922030123456", "09220301234a", "092203O12345", "０９２２０３０１２３４５"],
)
def test_malformed_ids_are_rejected(raw: str) -> None:
    with pytest.raises(InvalidPersonalId):
        PersonalId(raw)


def test_province_003_does_not_exist() -> None:
    with pytest.raises(InvalidPersonalId, match="unknown province"):
        PersonalId("003203012345")


@pytest.mark.parametrize("g", ["4", "5", "6", "7", "8", "9"])
def test_century_digit_for_a_future_century_is_rejected(g: str) -> None:
    with pytest.raises(InvalidPersonalId, match="future"):
        PersonalId(f"092{g}01012345", today=TODAY)


def test_birth_year_after_today_is_rejected() -> None:
    with pytest.raises(InvalidPersonalId, match="future"):
        PersonalId("092227012345", today=TODAY)
    assert PersonalId("092226012345", today=TODAY).birth_year == 2026


def test_century_digit_inconsistent_with_birth_year_or_sex() -> None:
    pid = PersonalId("092085012345")  # male, 1985
    assert pid.consistent_with(dt.date(1985, 3, 2), "male")
    assert not pid.consistent_with(dt.date(2085, 3, 2), "male")
    assert not pid.consistent_with(dt.date(1985, 3, 2), "female")
    assert not PersonalId("092285012345", today=dt.date(2090, 1, 1)).consistent_with(
        dt.date(1985, 3, 2)
    )


def test_error_messages_never_echo_the_input() -> None:
    class M(BaseModel):
        pid: PersonalId

    with pytest.raises(ValidationError) as info:
        M(pid="003203012345")
    for err in info.value.errors(include_input=False):
        assert "003203012345" not in str(err)
    assert M(pid="092203012345").model_dump(mode="json") == {"pid": "092203012345"}
    assert "092203012345" not in repr(M(pid="092203012345"))


def test_old_id_number_is_nine_digits() -> None:
    assert OldIdNumber("361 234 567").digits == "361234567"
    assert "361234567" not in repr(OldIdNumber("361234567"))
    for bad in ("36123456", "3612345678", "36123456x"):
        with pytest.raises(InvalidPersonalId):
            OldIdNumber(bad)


@pytest.mark.parametrize("year", [2003, 2010, 2026, 2099, 2100, 2131])
def test_json_schema_pattern_accepts_exactly_what_the_validator_accepts(year: int) -> None:
    import re

    from schemas.personal_id import id_pattern

    today = dt.date(year, 6, 1)
    pattern = re.compile(id_pattern(today))
    for province in ("001", "092", "003", "999"):
        for g in range(10):
            for yy in range(100):
                raw = f"{province}{g}{yy:02d}123456"
                try:
                    PersonalId(raw, today=today)
                    valid = True
                except InvalidPersonalId:
                    valid = False
                assert valid == bool(pattern.match(raw)), raw
