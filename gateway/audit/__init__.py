"""The tamper-evident audit log: writer, chaining, checkpoints, verification, export and queries."""
