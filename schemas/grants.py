"""OAuth clients, API scopes and access grants: what an administrator registers and decides."""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from schemas.fields import check_field_names


class Scope(StrEnum):
    """The API surface a token opens; which resident fields it releases is the grants' business."""

    RESIDENTS_LOOKUP = "residents.lookup"
    RESIDENTS_VERIFY = "residents.verify"
    RECORDS_READ = "records.read"
    DIGITIZATION_WRITE = "digitization.write"
    TRANSPARENCY_REPORT = "transparency.report"
    ADMIN = "admin"


ALL_SCOPES: tuple[str, ...] = tuple(s.value for s in Scope)


class ClientAuthMethod(StrEnum):
    CLIENT_SECRET_BASIC = "client_secret_basic"
    PRIVATE_KEY_JWT = "private_key_jwt"  # RFC 7523 section 2.2


_PURPOSE = re.compile(r"^[A-Z][A-Z0-9_]{1,63}$")


def check_scopes(scopes: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    unknown = sorted(set(scopes) - set(ALL_SCOPES))
    if unknown:
        raise ValueError(f"unknown scope(s): {', '.join(unknown)}")
    return tuple(s for s in ALL_SCOPES if s in scopes)


def check_purposes(purposes: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    bad = [p for p in purposes if not _PURPOSE.match(p)]
    if bad:
        raise ValueError(f"purpose codes are UPPER_SNAKE_CASE: {', '.join(bad)}")
    return tuple(sorted(set(purposes)))


class ClientSpec(BaseModel):
    """What registering a client needs."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    auth_method: ClientAuthMethod = ClientAuthMethod.CLIENT_SECRET_BASIC
    scopes: tuple[str, ...] = (Scope.RESIDENTS_LOOKUP.value, Scope.RESIDENTS_VERIFY.value)
    default_scopes: tuple[str, ...] | None = Field(
        None, description="scopes of a token request naming none; default: all allowed scopes"
    )
    jwks: dict[str, object] | None = Field(
        None, description="public JWK Set for private_key_jwt (RFC 7517)"
    )

    @field_validator("scopes", "default_scopes")
    @classmethod
    def _known_scopes(cls, value: tuple[str, ...] | None) -> tuple[str, ...] | None:
        return None if value is None else check_scopes(value)

    @model_validator(mode="after")
    def _consistent(self) -> ClientSpec:
        if not self.scopes:
            raise ValueError("a client needs at least one scope")
        if self.default_scopes is not None and not set(self.default_scopes) <= set(self.scopes):
            raise ValueError("default scopes must be among the allowed scopes")
        if self.auth_method is ClientAuthMethod.PRIVATE_KEY_JWT:
            keys = (self.jwks or {}).get("keys")
            if not isinstance(keys, list) or not keys:
                raise ValueError("private_key_jwt needs a JWK Set with at least one key")
            if any(isinstance(k, dict) and ("d" in k or "k" in k) for k in keys):
                raise ValueError("the JWK Set must hold public keys only")
        elif self.jwks is not None:
            raise ValueError("a JWK Set is only for private_key_jwt clients")
        return self


class ClientInfo(BaseModel):
    """A registered client as administrators see it (never its secret)."""

    client_id: str
    name: str
    auth_method: ClientAuthMethod
    scopes: tuple[str, ...]
    default_scopes: tuple[str, ...]
    enabled: bool
    created_at: dt.datetime
    created_by: str
    disabled_at: dt.datetime | None = None


class GrantSpec(BaseModel):
    """What issuing a grant needs. Grants are immutable: to change one, revoke it, issue another."""

    model_config = ConfigDict(extra="forbid")

    client_id: str = Field(min_length=1, max_length=64)
    fields: tuple[str, ...] = Field(min_length=1)
    purposes: tuple[str, ...] = Field(min_length=1)
    legal_basis: str = Field(
        min_length=5, max_length=1000, description="the article of the specialised law relied on"
    )
    valid_from: dt.datetime | None = Field(None, description="default: now")
    valid_until: dt.datetime | None = Field(None, description="default: open-ended")
    daily_quota: int | None = Field(None, ge=1, description="lookups a day; enforced by audit")
    disclosure_delay: dt.timedelta | None = Field(
        None,
        description="lawful delay before accesses under this grant appear in a resident's "
        "access report (an investigation must not be tipped off)",
    )

    @field_validator("fields")
    @classmethod
    def _known_fields(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return check_field_names(value)

    @field_validator("purposes")
    @classmethod
    def _purpose_codes(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return check_purposes(value)

    @field_validator("legal_basis")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("the legal basis is required")
        return value.strip()

    @field_validator("valid_from", "valid_until")
    @classmethod
    def _aware(cls, value: dt.datetime | None) -> dt.datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("timestamps need a timezone (e.g. 2027-01-01T00:00:00+07:00)")
        return value

    @field_validator("disclosure_delay")
    @classmethod
    def _positive(cls, value: dt.timedelta | None) -> dt.timedelta | None:
        if value is not None and value <= dt.timedelta(0):
            raise ValueError("the disclosure delay must be positive")
        return value

    @model_validator(mode="after")
    def _window(self) -> GrantSpec:
        if self.valid_from and self.valid_until and self.valid_until <= self.valid_from:
            raise ValueError("valid_until must be after valid_from")
        return self


class Grant(BaseModel):
    """An issued grant."""

    model_config = ConfigDict(frozen=True)

    grant_id: str
    client_id: str
    fields: tuple[str, ...]
    purposes: tuple[str, ...]
    legal_basis: str
    valid_from: dt.datetime
    valid_until: dt.datetime | None
    daily_quota: int | None
    disclosure_delay: dt.timedelta | None
    created_at: dt.datetime
    created_by: str
    revoked_at: dt.datetime | None = None
    revoked_by: str | None = None
    revoke_reason: str | None = None

    def is_live(self, at: dt.datetime) -> bool:
        if self.revoked_at is not None and self.revoked_at <= at:
            return False
        if at < self.valid_from:
            return False
        return self.valid_until is None or at < self.valid_until


class DenialReason(StrEnum):
    CLIENT_UNKNOWN = "client_unknown"
    CLIENT_DISABLED = "client_disabled"
    NO_GRANT = "no_grant"
    PURPOSE_NOT_GRANTED = "purpose_not_granted"
    GRANT_NOT_YET_VALID = "grant_not_yet_valid"
    GRANT_EXPIRED = "grant_expired"
    GRANT_REVOKED = "grant_revoked"
    FIELDS_NOT_GRANTED = "fields_not_granted"


class Decision(BaseModel):
    """Access allowed under one grant: these fields, and which asked-for fields were withheld."""

    model_config = ConfigDict(frozen=True)

    grant: Grant
    allowed: tuple[str, ...]
    withheld: tuple[str, ...]

    @property
    def legal_basis(self) -> str:
        return self.grant.legal_basis

    @property
    def daily_quota(self) -> int | None:
        return self.grant.daily_quota

    def hidden_until(self, accessed_at: dt.datetime) -> dt.datetime | None:
        """Until when this access stays out of the resident's access report."""
        delay = self.grant.disclosure_delay
        return accessed_at + delay if delay else None


class Denial(BaseModel):
    """Access refused, with a machine reason and a sentence for the caller."""

    model_config = ConfigDict(frozen=True)

    reason: DenialReason
    detail: str
    withheld: tuple[str, ...] = ()
