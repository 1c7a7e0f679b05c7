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

    # Digitization (`popgate digitize`, `popgate worker`, ocr/)
    ocr_workers: int | None = Field(
        None, ge=1, description="Worker processes of `popgate digitize`; default one per core."
    )
    ocr_confidence_bar: float = Field(
        0.80,
        ge=0.0,
        le=1.0,
        description="Lowest OCR confidence (0-1) at which a field can be accepted; "
        "below it the field goes to review.",
    )
    ocr_officer: str | None = Field(
        None, description="Digitizing officer recorded on each record (`--officer` overrides)."
    )
    ocr_record_code_layout: str = Field(
        "{holder_id}.{result_type}.{serial}",
        description="Layout of the result code (Circular 01/2023 Art. 10, UNVERIFIED): "
        "placeholders {holder_id}, {result_type}, {serial}.",
    )
    ocr_result_type_codes: dict[str, str] = Field(
        default_factory=lambda: {
            "decision": "QD",
            "certificate": "GCN",
            "confirmation": "GXN",
            "extract": "TL",
        },
        description="Result-type code of each document type (JSON object).",
    )
    ocr_known_issuers: list[str] = Field(
        default_factory=list,
        description="Register of issuing bodies (JSON list): an issuer read close to one of "
        "them takes its exact name, any other goes to review; empty: no register.",
    )
    ocr_known_places: list[str] = Field(
        default_factory=list,
        description="Names of administrative units (JSON list: wards, districts, provinces): "
        "an address naming another unit goes to review; empty: no check.",
    )
    celery_broker_url: str = Field(
        "redis://127.0.0.1:6379/0",
        description="Celery broker of `popgate worker` (Redis or amqp:// RabbitMQ).",
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
