"""Configuration of the notifications service, read from PLUSSA_NOTIFICATIONS_* environment variables."""

from pydantic_settings import SettingsConfigDict

from plussa_shared.settings import ServiceSettings


class NotificationsSettings(ServiceSettings):
    """Settings of the notifications service."""

    model_config = SettingsConfigDict(env_prefix="PLUSSA_NOTIFICATIONS_", extra="ignore")

    service_name: str = "notifications"
    port: int = 8085
    mongo_database: str = "plussa_notifications"
