"""Every table of popgate, imported in one place so that metadata and migrations see them all."""

from store.instance import InstanceState
from store.records import DigitizationBatch, DigitizedPage, DigitizedRecord

__all__ = ["DigitizationBatch", "DigitizedPage", "DigitizedRecord", "InstanceState"]
