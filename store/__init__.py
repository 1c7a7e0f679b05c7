"""popgate's persistence: SQLAlchemy 2 models, the async engine and Alembic migrations."""

from store.base import Base
from store.engine import Database, DatabaseUnavailable, create_database

__all__ = ["Base", "Database", "DatabaseUnavailable", "create_database"]
