"""Configuration of the identity service, read from PLUSSA_IDENTITY_* environment variables."""

from pydantic_settings import SettingsConfigDict

from plussa_shared.settings import ServiceSettings


class IdentitySettings(ServiceSettings):
    """Settings of the identity service."""

    model_config = SettingsConfigDict(env_prefix="PLUSSA_IDENTITY_", extra="ignore")

    service_name: str = "identity"
    port: int = 8081
    mongo_database: str = "plussa_identity"
