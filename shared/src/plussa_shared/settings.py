"""The settings every service shares; each service subclasses with its own env prefix."""

from typing import Literal

from pydantic import AnyHttpUrl, Field, IPvAnyNetwork, MongoDsn, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from plussa_shared.queues import QueueType


class ServiceSettings(BaseSettings):
    """Base settings. A service declares ``model_config`` with its own ``env_prefix``.

    Secrets (the broker URL carries a password) are ``SecretStr`` so they never
    appear in a repr or a log line.
    """

    model_config = SettingsConfigDict(env_prefix="PLUSSA_", extra="ignore")

    service_name: str = "plussa"
    environment: Literal["development", "test", "production"] = "development"
    host: str = "127.0.0.1"
    port: int = 8080
    reuse_port: bool = False
    """Let several processes of the service listen on one port of one host (SO_REUSEPORT:
    the kernel spreads connections over them), as replicas behind one address. Off: a
    second process on a taken port fails to start, which is what a developer wants."""
    public_url: AnyHttpUrl | None = None

    log_format: Literal["json", "console"] = "json"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    otlp_endpoint: AnyHttpUrl | None = None
    """An OpenTelemetry collector's OTLP/HTTP base URL (``http://collector:4318``): spans
    are exported there. None (the default): traces are only propagated and logged."""

    mongo_url: MongoDsn = MongoDsn("mongodb://127.0.0.1:27017/?replicaSet=rs0")
    mongo_database: str = "plussa"

    amqp_url: SecretStr = SecretStr("amqp://guest:guest@127.0.0.1:5672/")
    amqp_exchange: str = "plussa.events"
    """The internal exchange: only the platform's services may read it."""
    amqp_partner_exchange: str = "plussa.partner"
    """The exchange partner chains read; the broker copies partner events to it."""
    amqp_private_exchange_prefix: str = "plussa.private."
    """Followed by a service name: the exchange only that service may read."""
    amqp_queue_prefix: str = ""
    broker_startup_wait_s: float = Field(default=5.0, ge=0)
    broker_reconnect_interval_s: float = Field(default=2.0, gt=0)
    consumer_prefetch: int = Field(default=32, ge=1, le=1000)
    consumer_retry_delays_ms: list[int] = Field(default_factory=lambda: [1_000, 10_000, 60_000])
    queue_type: QueueType = "classic"
    """``classic`` durable queues (local default) or replicated ``quorum`` queues
    (production, set in the deploy ConfigMaps); see docs/queues.md."""
    queue_delivery_limit: int = Field(default=20, ge=1)
    """Quorum queues only: deliveries of one message (redeliveries after a consumer
    died holding it) before the main queue dead-letters it."""

    inbox_retention_days: int = Field(default=30, ge=1)
    """How long handled event ids are kept to recognise a redelivery; longer than any
    redelivery, retry or dead-letter replay is expected to take."""

    outbox_poll_interval_s: float = Field(default=0.5, gt=0)
    outbox_batch_size: int = Field(default=100, ge=1, le=10_000)

    jwks_url: AnyHttpUrl | None = None
    jwt_issuer: str = "https://identity.plussa.fi"
    jwt_audience: str = "plussa"
    revocation_refresh_s: float = Field(default=1.0, gt=0, le=5)
    """How often each replica reloads the ended sessions (so a logout holds within about this long)."""

    max_body_bytes: int = Field(default=256 * 1024, ge=1024)
    http_timeout_s: float = Field(default=5.0, gt=0)

    page_limit_default: int = Field(default=20, ge=1)
    """Items in a page when the caller sends no ``limit``."""
    page_limit_max: int = Field(default=100, ge=1)
    """The largest ``limit`` a caller may ask for; more is a 422."""
    idempotency_ttl_s: int = Field(default=24 * 3600, ge=60)
    """How long the first answer to an ``Idempotency-Key`` is kept for replay."""
    idempotency_lease_s: int = Field(default=60, ge=1)
    """How long a request in flight holds its key before a retry may take it over."""
    default_language: Literal["fi", "sv", "en"] = "fi"
    """The language of texts when ``Accept-Language`` names none of fi, sv, en."""
    trusted_proxies: list[IPvAnyNetwork] = Field(default_factory=list)
    """Peers (CIDRs) whose forwarded headers name the end user's address and user
    agent (the BFF, a load balancer). Empty: forwarded headers are ignored."""

    @model_validator(mode="after")
    def _default_page_within_max(self) -> "ServiceSettings":
        if self.page_limit_default > self.page_limit_max:
            raise ValueError("page_limit_default exceeds page_limit_max")
        return self

    @property
    def event_source(self) -> str:
        """The CloudEvents ``source`` attribute of the events this service publishes."""
        return f"/plussa/{self.service_name}"

    def private_exchange(self, recipient: str) -> str:
        """The exchange events meant for ``recipient`` alone are published to."""
        return f"{self.amqp_private_exchange_prefix}{recipient}"

    @property
    def event_queue(self) -> str:
        """The durable queue this service consumes its subscribed events from."""
        return f"{self.amqp_queue_prefix}{self.service_name}.events"
