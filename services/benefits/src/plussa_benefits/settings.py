"""Configuration of the benefits service, read from PLUSSA_BENEFITS_* environment variables."""

from pydantic_settings import SettingsConfigDict

from plussa_shared.settings import ServiceSettings


class BenefitsSettings(ServiceSettings):
    """Settings of the benefits service."""

    model_config = SettingsConfigDict(env_prefix="PLUSSA_BENEFITS_", extra="ignore")

    service_name: str = "benefits"
    port: int = 8084
    mongo_database: str = "plussa_benefits"
