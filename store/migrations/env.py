"""Alembic environment: runs on the connection handed over by `store.migrate`."""

from alembic import context

import store.models  # noqa: F401  (registers every table on the metadata)
from store.base import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through `popgate db upgrade`")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    transactional_ddl=True,
)
with context.begin_transaction():
    context.run_migrations()
