"""Every table of popgate, imported in one place so that metadata and migrations see them all."""

from store.instance import InstanceState

__all__ = ["InstanceState"]
