"""Every table of popgate, imported in one place so that metadata and migrations see them all."""

from store.audit import AuditCheckpoint, AuditEventRow, AuditSegment
from store.clients import OAuthClient
from store.grants import AccessGrant
from store.instance import InstanceState
from store.records import DigitizationBatch, DigitizedPage, DigitizedRecord
from store.revocations import RevokedToken, UsedAssertion
from store.signing_keys import SigningKey

__all__ = [
    "AccessGrant",
    "AuditCheckpoint",
    "AuditEventRow",
    "AuditSegment",
    "DigitizationBatch",
    "DigitizedPage",
    "DigitizedRecord",
    "InstanceState",
    "OAuthClient",
    "RevokedToken",
    "SigningKey",
    "UsedAssertion",
]
