"""Every table of popgate, imported in one place so that metadata and migrations see them all."""

from store.audit import AuditCheckpoint, AuditEventRow, AuditSegment
from store.instance import InstanceState

__all__ = ["AuditCheckpoint", "AuditEventRow", "AuditSegment", "InstanceState"]
