"""popgate's settings: one pydantic-settings model, environment prefix `POPGATE_`.

Defining the model is pure; instantiating `Settings()` reads the environment, which only the
command-line edge does. Lower layers receive the values they need as arguments.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="POPGATE_", extra="ignore")

    host: str = Field("127.0.0.1", description="Address `popgate serve` listens on.")
    port: int = Field(8080, ge=0, le=65535, description="Port `popgate serve` listens on.")
    public_url: str | None = Field(
        None,
        description="External base URL (issuer, WSDL address); default http://HOST:PORT.",
    )
    data_dir: Path = Field(Path("var"), description="Folder for SQLite files, keys and state.")
    database_url: str | None = Field(
        None,
        description="SQLAlchemy URL; default sqlite+aiosqlite:///DATA_DIR/popgate.db. "
        "PostgreSQL: postgresql+asyncpg://user@host:5432/db.",
    )
    database_pool_size: int = Field(10, ge=1, description="Connections kept by the pool.")
    redis_url: str | None = Field(
        None, description="Redis for shared rate limits and revocation lists across processes."
    )
    registry_url: str | None = Field(
        None,
        description="Upstream national registry base URL; unset: the sandbox runs in-process.",
    )
    registry_protocol: Literal["soap", "rest"] = Field(
        "rest", description="Protocol used to reach the registry."
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        "INFO", description="Log level of the JSON logs written to stderr."
    )
    max_body_bytes: int = Field(
        1_048_576, ge=1024, description="Largest request body accepted, in bytes."
    )
    secret_key: SecretStr | None = Field(
        None,
        description="Master key encrypting keys and IDs at rest; default: generated once "
        "into DATA_DIR/secret.key (mode 0600).",
    )

    # --- audit log and rate limits (issue 5) ---
    audit_queue_size: int = Field(
        10_000, ge=1, description="Audit events waiting for the writer before callers are refused."
    )
    audit_batch_max: int = Field(
        500, ge=1, description="Most audit events the writer commits in one transaction."
    )
    audit_commit_timeout: float = Field(
        3.0,
        gt=0,
        description="Seconds a request waits for its audit commit before it is refused with 503.",
    )
    audit_checkpoint_seconds: float = Field(
        5.0, gt=0, description="Seconds between signed checkpoints of a writer's audit segment."
    )
    audit_segment_seconds: float = Field(
        3600.0,
        gt=0,
        description="Seconds after which a writer seals its segment and opens a new one.",
    )
    audit_retention_days: int = Field(
        3650,
        ge=1,
        description="Days sealed audit segments are kept; `popgate audit prune` drops older ones.",
    )
    rate_limit: str = Field(
        "50/second",
        description="Per-client request rate, in `limits` notation (e.g. 50/second, 1000/minute).",
    )

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'popgate.db').as_posix()}"

    def resolved_public_url(self) -> str:
        if self.public_url:
            return self.public_url.rstrip("/")
        host = "127.0.0.1" if self.host in ("0.0.0.0", "::") else self.host  # noqa: S104
        return f"http://{host}:{self.port}"
