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

    # --- national registry connectors and sandbox (issue 3) ---
    registry_app_name: str | None = Field(
        None, description="AppName issued by the integration platform (LGSP) to this unit."
    )
    registry_access_key: str | None = Field(
        None, description="AccessKey issued with the AppName; sent with every signed request."
    )
    registry_secret_key: SecretStr | None = Field(
        None,
        description="SecretKey signing upstream requests (never sent). Unset with no "
        "registry URL: generated into DATA_DIR/registry-credentials.json for the sandbox.",
    )
    registry_timeout_seconds: float = Field(
        5.0, gt=0, description="Time allowed for one upstream attempt, answer included."
    )
    registry_connect_timeout_seconds: float = Field(
        2.0, gt=0, description="Time allowed to open a connection to the registry."
    )
    registry_retries: int = Field(
        2, ge=0, le=5, description="Extra attempts of a failed idempotent read (jittered)."
    )
    registry_max_concurrency: int = Field(
        64, ge=1, description="Upstream calls in flight at once per process."
    )
    registry_breaker_failures: int = Field(
        5, ge=1, description="Consecutive upstream failures that open the circuit breaker."
    )
    registry_breaker_reset_seconds: float = Field(
        10.0, gt=0, description="Seconds the breaker stays open before probing the registry."
    )
    sandbox_database_url: str | None = Field(
        None,
        description="Sandbox registry database; default sqlite+aiosqlite:///DATA_DIR/sandbox.db.",
    )
    sandbox_port: int = Field(
        8081, ge=1, le=65535, description="Port of `popgate sandbox serve` (in-process: free)."
    )
    sandbox_residents: int = Field(
        10_000, ge=0, le=1_000_000, description="Residents seeded on first start of the sandbox."
    )
    sandbox_seed: int = Field(1, description="Random seed of the synthetic residents.")
    sandbox_latency_ms: float = Field(0.0, ge=0, description="Fault injection: added latency.")
    sandbox_error_rate: float = Field(
        0.0, ge=0, le=1, description="Fault injection: share of calls answered Server.Unavailable."
    )
    sandbox_timeout_rate: float = Field(
        0.0, ge=0, le=1, description="Fault injection: share of calls that hang for 30 s."
    )
    sandbox_garble_rate: float = Field(
        0.0, ge=0, le=1, description="Fault injection: share of answers corrupted."
    )

    def resolved_sandbox_database_url(self) -> str:
        if self.sandbox_database_url:
            return self.sandbox_database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'sandbox.db').as_posix()}"

    # OAuth 2.0 authorization server and access grants (issue 4).
    access_token_ttl: int = Field(
        300, ge=30, le=3600, description="Lifetime of issued access tokens, in seconds."
    )
    token_audience: str | None = Field(
        None, description="`aud` of issued access tokens; default: the public URL."
    )
    client_assertion_max_lifetime: int = Field(
        300,
        ge=30,
        le=3600,
        description="Furthest ahead a private_key_jwt assertion's `exp` may be, in seconds.",
    )
    token_failure_limit: str = Field(
        "10/minute",
        description="Failed token-endpoint authentications allowed per client id and per "
        "remote address before further attempts get 429 (`limits` notation).",
    )
    bootstrap: bool = Field(
        True,
        description="On first start create a bootstrap admin client and a demo client with a "
        "demo grant, and print their credentials once.",
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
    ocr_officer_cert: Path | None = Field(
        None,
        description="The officer's PKCS#12 file (key + certificate): records are signed with "
        "the officer's personal key and carry the certificate (`--officer-cert` overrides).",
    )
    ocr_officer_cert_password: SecretStr | None = Field(
        None, description="Password of the officer's PKCS#12 file."
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
