"""Validate extracted fields: types, consistency, plausibility, confidence, registry cross-check.

Every field ends `accepted` or `review` with a reason. Nothing below the confidence bar, and
nothing failing a check, is accepted: a wrong value must never pass silently.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, Literal

from pydantic import TypeAdapter, ValidationError
from rapidfuzz.distance import Levenshtein

from ocr.context import Box
from ocr.extract import FIELD_NAMES
from ocr.lexicon import Lexicon, Lexicons, tokens
from ocr.names import unusual_syllables
from ocr.reading import ExtractedField
from schemas.personal_id import OldIdNumber, PersonalId, Sex
from schemas.places import place_names
from schemas.text import NfcStr, name_key

Status = Literal["accepted", "review"]
DEFAULT_CONFIDENCE_BAR = 0.80
AMBIGUOUS = "ambiguous reading"
MAX_REGISTRY_CANDIDATES = 4
"""At most this many (ID, name, birth date) readings are put to the registry for one document:
each question is a data access, audited like any other."""
EARLIEST_BIRTH = dt.date(1900, 1, 1)
EARLIEST_ISSUE = dt.date(1945, 9, 2)  # the first decrees of the Democratic Republic of Vietnam

Verifier = Callable[[str, str, dt.date], Awaitable[bool | None]]
"""`verify(personal_id, full_name, date_of_birth)`: True match, False mismatch, None unknown.

The registry connector (`connectors`) plugs in here; without it the cross-check is skipped.
"""

_TYPES: dict[str, TypeAdapter[Any]] = {
    "doc_type": TypeAdapter(Literal["decision", "certificate", "confirmation", "extract"]),
    "issue_date": TypeAdapter(dt.date),
    "date_of_birth": TypeAdapter(dt.date),
    "sex": TypeAdapter(Sex),
    "personal_id": TypeAdapter(PersonalId | OldIdNumber),
}
_TEXT = TypeAdapter(NfcStr)
# Số ký hiệu: number / symbol of the document type - symbol of the issuing body (e.g. 4358/QĐ-UBND).
# Administrative units named in an address: the type word, then the name up to the next comma.
_UNIT = re.compile(
    r"(?:^|,)\s*(phường|xã|thị trấn|quận|huyện|thị xã|thành phố|tỉnh)\s+([^,]+)", re.IGNORECASE
)
_DOC_NUMBER = re.compile(r"^\d{1,6}/[A-ZĐ0-9]+(-[A-ZĐ0-9&]+)*$")


@dataclasses.dataclass(frozen=True, slots=True)
class FieldResult:
    name: str
    value: str | None
    confidence: float
    page: int | None
    box: Box | None
    status: Status
    reason: str
    # Other values the recogniser weighed and could not rule out, for the reviewer.
    alternatives: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self) | {
            "box": list(self.box) if self.box else None,
            "alternatives": list(self.alternatives),
        }


def _review(found: FieldResult, reason: str) -> FieldResult:
    if found.status == "review":
        return found
    return dataclasses.replace(found, status="review", reason=reason)


def _typed(name: str, value: str) -> Any:
    adapter = _TYPES.get(name, _TEXT)
    return adapter.validate_python(value)


def check_value(name: str, value: str, today: dt.date | None = None) -> str | None:
    """Why `value` cannot be field `name` (type, plausibility, form, name syllables), or None:
    the rules a reading must pass, for a person's correction too."""
    return _check(name, value, today or dt.date.today())[1]


def holder_consistent(personal_id: str | None, date_of_birth: str | None, sex: str | None) -> bool:
    """Whether the ID's encoded century, birth year and sex agree with the other two."""
    try:
        pid = PersonalId(personal_id or "")
        dob = dt.date.fromisoformat(date_of_birth) if date_of_birth else None
    except ValueError:
        return True  # not a 12-digit ID or no date: nothing encoded to compare
    return pid.consistent_with(dob, sex)


def _check(name: str, value: str, today: dt.date) -> tuple[Any, str | None]:
    """The typed value and, if the value fails a rule, why."""
    try:
        typed = _typed(name, value)
    except ValidationError as exc:
        return None, f"not a valid {name}: {exc.errors()[0]['msg']}"
    if name == "date_of_birth" and not EARLIEST_BIRTH <= typed <= today:
        return typed, "date of birth is not plausible"
    if name == "issue_date" and not EARLIEST_ISSUE <= typed <= today:
        return typed, "issue date is not plausible"
    if name == "doc_number" and not _DOC_NUMBER.match(value):
        return typed, "document number does not have the form 123/QĐ-UBND"
    if name in ("full_name", "signer"):
        odd = unusual_syllables(value)
        if odd:
            return typed, f"unusual name syllable(s): {', '.join(odd)}"
    return typed, None


async def validate(
    fields: Mapping[str, ExtractedField],
    *,
    confidence_bar: float = DEFAULT_CONFIDENCE_BAR,
    verify: Verifier | None = None,
    expected_doc_type: str | None = None,
    known_issuers: Sequence[str] = (),
    known_places: Sequence[str] = (),
    lexicons: Lexicons | None = None,
    today: dt.date | None = None,
) -> dict[str, FieldResult]:
    """One result per canonical field name, in catalogue order.

    `expected_doc_type` is the operator's word for the whole batch (`--doc-type`): it fills a
    type the page does not show, and a page that reads as another type goes to review.
    `known_issuers` is the register of issuing bodies of the archive: an issuer read within a
    few characters of exactly one of them takes its exact name; any other goes to review.
    `known_places` adds administrative units (ward, district, province) to the built-in
    gazetteer (`schemas.places`): an address naming a unit known to neither goes to review.
    With `lexicons` and no register, an issuer must be made of known names (`ocr.lexicon`):
    "QUẬN NINH KIỂU" read at high confidence is no body of the city, and goes to review.
    """
    today = today or dt.date.today()
    results: dict[str, FieldResult] = {}
    typed: dict[str, Any] = {}
    for name in FIELD_NAMES:
        found = fields.get(name)
        if found is None:
            results[name] = FieldResult(name, None, 0.0, None, None, "review", "not found")
            continue
        if name == "issuer" and known_issuers:
            found = _match_issuer(found, known_issuers)
            if found.confidence == 0.0:
                results[name] = FieldResult(
                    name, found.value, 0.0, found.page, found.box, "review", "not a known issuer"
                )
                continue
        value, problem = _check(name, found.value, today)
        # A reading that would break the field's own rules (a birth in 1846) is no rival.
        rivals = tuple(a for a in found.alternatives if _check(name, a, today)[1] is None)
        found = dataclasses.replace(found, alternatives=rivals)
        if name == "issuer" and lexicons and not known_issuers and not problem:
            unknown = unknown_words(found.value, lexicons.places)
            if unknown:
                problem = f"not a known body: {', '.join(unknown)}"
        if name == "address" and not problem:
            unknown = unknown_places(found.value, (*place_names(), *known_places))
            if unknown:
                problem = f"unknown administrative unit(s): {', '.join(unknown)}"
        result = FieldResult(
            name,
            found.value,
            found.confidence,
            found.page,
            found.box,
            "accepted",
            "checks passed",
            found.alternatives,
        )
        if problem:
            result = _review(result, problem)
        elif found.alternatives:
            count = len(found.alternatives)
            result = _review(result, f"{AMBIGUOUS}: {count} other value(s) also read")
        elif found.confidence < confidence_bar:
            result = _review(
                result, f"confidence {found.confidence:.2f} below {confidence_bar:.2f}"
            )
        else:
            typed[name] = value
        results[name] = result
    if expected_doc_type:
        _declared_type(results, expected_doc_type)
    _cross_field(results, typed)
    if verify is not None:
        await _cross_check(results, typed, verify)
    return results


def unknown_words(value: str, lexicon: Lexicon) -> list[str]:
    """Words of `value` that no phrase of `lexicon` attests where they stand."""
    keys = tokens(value)
    return [key for i, key in enumerate(keys) if not lexicon.attested(keys, i)]


def unknown_places(address: str, known: Sequence[str]) -> list[str]:
    """Unit names in `address` ("phường An Cư, quận Ninh Kiều") that are not in `known`."""
    names = {name_key(k) for k in known}
    found = [m.group(2).strip(" .") for m in _UNIT.finditer(address)]
    return [n for n in found if name_key(n) not in names]


def _match_issuer(found: ExtractedField, known: Sequence[str]) -> ExtractedField:
    """The register's spelling when the reading is close to one entry only; else confidence 0."""
    read = name_key(found.value)
    scored = sorted((Levenshtein.distance(read, name_key(k)), k) for k in known)
    limit = max(2, len(read) // 10)
    close = [k for d, k in scored if d <= limit]
    if len(close) != 1:
        return dataclasses.replace(found, confidence=0.0)
    return dataclasses.replace(found, value=close[0], confidence=1.0)


def _declared_type(results: dict[str, FieldResult], declared: str) -> None:
    read = results["doc_type"]
    if read.value is None:
        results["doc_type"] = FieldResult(
            "doc_type", declared, 1.0, None, None, "accepted", "declared for the batch"
        )
    elif read.value != declared:
        results["doc_type"] = _review(read, f"reads as {read.value}, the batch declares {declared}")


def _cross_field(results: dict[str, FieldResult], typed: dict[str, Any]) -> None:
    pid = typed.get("personal_id")
    dob, sex, issued = typed.get("date_of_birth"), typed.get("sex"), typed.get("issue_date")
    # The ID encodes century, sex and birth year (Decree 137/2015 Art. 13): they must agree.
    if isinstance(pid, PersonalId) and not pid.consistent_with(dob, sex):
        for name in ("personal_id", "date_of_birth", "sex"):
            results[name] = _review(results[name], "personal ID does not match date of birth/sex")
    if dob and issued and dob > issued:
        for name in ("date_of_birth", "issue_date"):
            results[name] = _review(results[name], "date of birth is after the issue date")


async def _cross_check(
    results: dict[str, FieldResult], typed: dict[str, Any], verify: Verifier
) -> None:
    """Ask the registry about the holder: a "no" sends ID, name and birth date to review.

    When some of the three are in review only because the recogniser also read them another
    way, each combination of readings is put to the registry (at most
    `MAX_REGISTRY_CANDIDATES`); exactly one confirmed settles them all.
    """
    readings = [_readings(results[n]) for n in _HOLDER]
    if any(not r for r in readings):
        return
    candidates = list(itertools.product(*readings))
    if len(candidates) == 1:
        pid = typed["personal_id"]
        if not isinstance(pid, PersonalId):
            return
        answer = await verify(pid.digits, typed["full_name"], typed["date_of_birth"])
        if answer is False:
            for name in _HOLDER:
                results[name] = _review(results[name], "the population registry does not confirm")
        elif answer is True:
            for name in _HOLDER:
                results[name] = dataclasses.replace(
                    results[name], reason="confirmed by the registry"
                )
        return
    if len(candidates) > MAX_REGISTRY_CANDIDATES:
        return
    confirmed = []
    sex = typed.get("sex")
    for pid_text, name, dob_text in candidates:
        pid, dob = PersonalId(pid_text), dt.date.fromisoformat(dob_text)
        if pid.consistent_with(dob, sex) and await verify(pid.digits, name, dob) is True:
            confirmed.append((pid_text, name, dob_text))
    if len(confirmed) != 1:
        return
    for field, value in zip(_HOLDER, confirmed[0], strict=True):
        results[field] = dataclasses.replace(
            results[field],
            value=value,
            status="accepted",
            reason="confirmed by the registry among the readings",
            alternatives=(),
        )


_HOLDER = ("personal_id", "full_name", "date_of_birth")


def _readings(result: FieldResult) -> list[str]:
    """The values a holder field may have: its own if accepted; with its rivals if its one
    problem is an ambiguous reading; none otherwise."""
    if result.value is None:
        return []
    if result.status == "accepted":
        return [result.value]
    if result.reason.startswith(AMBIGUOUS) and result.alternatives:
        values = [result.value, *result.alternatives]
        if result.name == "personal_id":
            values = [v for v in values if _is_personal_id(v)]
        return values
    return []


def _is_personal_id(value: str) -> bool:
    try:
        PersonalId(value)
    except ValueError:
        return False
    return True
