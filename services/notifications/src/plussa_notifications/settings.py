"""Configuration of the notifications service, read from PLUSSA_NOTIFICATIONS_* environment variables."""

import secrets
from datetime import timedelta
from email.headerregistry import Address

from pydantic import AnyHttpUrl, Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from plussa_notifications.domain.messages import RetryPolicy
from plussa_notifications.mail.smtp import SmtpConfig
from plussa_shared.settings import ServiceSettings


class NotificationsSettings(ServiceSettings):
    """Settings of the notifications service."""

    model_config = SettingsConfigDict(env_prefix="PLUSSA_NOTIFICATIONS_", extra="ignore")

    service_name: str = "notifications"
    port: int = 8085
    mongo_database: str = "plussa_notifications"

    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(default=8025, ge=1, le=65535)
    smtp_starttls: bool = False
    """Upgrade the connection with STARTTLS (production: on; the local sink speaks plain SMTP)."""
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_timeout_s: float = Field(default=10.0, gt=0)
    smtp_connections: int = Field(default=4, ge=1, le=64)
    """Mails sent at the same time, each over its own connection."""
    mail_from_name: str = "K-Plussa"
    mail_from_address: str = "noreply@plussa.fi"

    portal_base_url: AnyHttpUrl = AnyHttpUrl("https://oma.plussa.fi")
    """Where the links in verification and reset mails point (the portal's pages)."""
    unsubscribe_base_url: AnyHttpUrl = AnyHttpUrl("http://127.0.0.1:8085")
    """The public https address of this service, for one-click unsubscribe links."""
    unsubscribe_secret: SecretStr | None = None
    """Signs unsubscribe tokens; required in production (random per process otherwise)."""
    unsubscribe_token_days: int = Field(default=90, ge=1, le=3650)
    consent_wording_version: str = "2026-11"
    """The version of the consent text the portal shows; recorded with every consent."""

    retry_first_s: float = Field(default=5.0, gt=0)
    retry_cap_s: float = Field(default=900.0, gt=0)
    retry_max_attempts: int = Field(default=200, ge=1)
    sender_batch_size: int = Field(default=200, ge=1, le=5000)
    sender_poll_interval_s: float = Field(default=1.0, gt=0)
    sender_lease_s: float = Field(default=120.0, gt=0)
    campaign_batch_size: int = Field(default=500, ge=1, le=10_000)

    @model_validator(mode="after")
    def _production_signs_with_its_own_secret(self) -> "NotificationsSettings":
        if self.unsubscribe_secret is None:
            if self.environment == "production":
                raise ValueError("set PLUSSA_NOTIFICATIONS_UNSUBSCRIBE_SECRET in production")
            self.unsubscribe_secret = SecretStr(secrets.token_urlsafe(48))
        return self

    def smtp(self) -> SmtpConfig:
        """How to reach the mail server."""
        return SmtpConfig(
            host=self.smtp_host,
            port=self.smtp_port,
            starttls=self.smtp_starttls,
            username=self.smtp_username,
            password=self.smtp_password,
            timeout_s=self.smtp_timeout_s,
        )

    def sender_address(self) -> Address:
        """The From of every mail."""
        user, _, domain = self.mail_from_address.partition("@")
        return Address(self.mail_from_name, user, domain)

    def retry_policy(self) -> RetryPolicy:
        """Back-off while the mail server is away."""
        return RetryPolicy(
            first=timedelta(seconds=self.retry_first_s),
            cap=timedelta(seconds=self.retry_cap_s),
            max_attempts=self.retry_max_attempts,
        )
