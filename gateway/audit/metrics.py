"""Prometheus metrics of the audit writer: events committed and failed, group sizes, waits."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram

from gateway.metrics import LATENCY_BUCKETS


class AuditMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.events = Counter(
            "popgate_audit_events",
            "Audit events by result: committed, or failed (the caller was refused with 503).",
            ("result",),
            registry=registry,
        )
        self.group_size = Histogram(
            "popgate_audit_group_size",
            "Events committed together in one transaction.",
            buckets=(1, 2, 5, 10, 20, 50, 100, 200, 500, 1000),
            registry=registry,
        )
        self.wait = Histogram(
            "popgate_audit_commit_wait_seconds",
            "Time a caller waited for its audit event to be committed.",
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )

    def committed(self, count: int) -> None:
        self.events.labels("committed").inc(count)
        self.group_size.observe(count)

    def failed(self, count: int) -> None:
        self.events.labels("failed").inc(count)
