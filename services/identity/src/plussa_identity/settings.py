"""Configuration of the identity service, read from PLUSSA_IDENTITY_* environment variables."""

from typing import Self

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from plussa_shared.settings import ServiceSettings

DEV_KEY_ENCRYPTION_SECRET = "plussa-development-key-encryption-secret"  # noqa: S105 - refused in production below


class IdentitySettings(ServiceSettings):
    """Settings of the identity service. Every figure of the login and token rules lives here."""

    model_config = SettingsConfigDict(env_prefix="PLUSSA_IDENTITY_", extra="ignore")

    service_name: str = "identity"
    port: int = 8081
    mongo_database: str = "plussa_identity"

    key_encryption_secret: SecretStr | None = None
    """Encrypts the signing keys' private halves at rest. Required in production."""
    key_refresh_s: float = Field(default=10.0, gt=0)
    """How often a replica re-reads which key signs (another replica may have rotated)."""
    key_retire_grace_s: int = Field(default=60, ge=0)
    """A retired key stays in the JWKS for the access token lifetime plus this."""

    access_token_ttl_s: int = Field(default=300, ge=30, le=3600)
    service_token_ttl_s: int = Field(default=600, ge=30, le=3600)
    refresh_token_idle_s: int = Field(default=14 * 24 * 3600, ge=60)
    """A session ends when its refresh token is not used for this long."""
    session_max_age_s: int = Field(default=90 * 24 * 3600, ge=60)
    """A session ends this long after login whatever its use."""

    email_verification_ttl_s: int = Field(default=48 * 3600, ge=60)
    password_reset_ttl_s: int = Field(default=30 * 60, ge=60, le=24 * 3600)
    password_reset_answer_ms: int = Field(default=250, ge=0, le=5000)
    """A reset request is answered no sooner than this after it arrived, whether or not the address
    has a login, so the work only a login needs (its event) cannot be timed; keep it above the
    request's slowest time."""

    password_min_length: int = Field(default=12, ge=8)
    password_max_length: int = Field(default=128, ge=16, le=1024)
    argon2_time_cost: int = Field(default=3, ge=1)
    argon2_memory_cost_kib: int = Field(default=65_536, ge=8)
    argon2_parallelism: int = Field(default=4, ge=1)

    account_free_failures: int = Field(default=5, ge=1)
    """Wrong passwords for one e-mail before it is locked for a while; also how many password
    checks of one e-mail may run at once."""
    account_lock_base_s: int = Field(default=30, ge=1)
    account_lock_max_s: int = Field(default=15 * 60, ge=1)
    address_free_failures: int = Field(default=20, ge=1)
    """Failed logins from one client address before it is locked for a while; also how many
    checks from one address may run at once."""
    attempt_lease_s: int = Field(default=30, ge=1)
    """A check counted as running is forgotten after this long, should its process die mid-check."""
    address_lock_base_s: int = Field(default=60, ge=1)
    address_lock_max_s: int = Field(default=60 * 60, ge=1)
    failures_forgotten_after_s: int = Field(default=3600, ge=1)
    """A failure streak older than this starts counting again from zero."""
    trusted_address_days: int = Field(default=30, ge=0)
    """An address this account logged in from lately is exempt from the account's lock."""
    privacy_participants: list[str] = Field(
        default_factory=lambda: ["identity", "cards", "points", "benefits", "notifications", "receipts"]
    )
    """Services that answer every data export and erasure request. A request completes only when
    every listed service has answered, so list exactly the services deployed."""

    @model_validator(mode="after")
    def _production_needs_a_real_key_secret(self) -> Self:
        if self.environment == "production":
            secret = self.key_encryption_secret
            if secret is None or secret.get_secret_value() in ("", DEV_KEY_ENCRYPTION_SECRET):
                raise ValueError("set PLUSSA_IDENTITY_KEY_ENCRYPTION_SECRET in production")
            if len(secret.get_secret_value()) < 32:
                raise ValueError("the key encryption secret needs at least 32 characters")
        return self

    @property
    def key_secret(self) -> bytes:
        """The secret that encrypts private signing keys (a development default outside production)."""
        secret = self.key_encryption_secret
        value = secret.get_secret_value() if secret is not None else DEV_KEY_ENCRYPTION_SECRET
        return value.encode()
