"""Configuration of the cards service, read from PLUSSA_CARDS_* environment variables."""

from pydantic_settings import SettingsConfigDict

from plussa_shared.settings import ServiceSettings


class CardsSettings(ServiceSettings):
    """Settings of the cards service."""

    model_config = SettingsConfigDict(env_prefix="PLUSSA_CARDS_", extra="ignore")

    service_name: str = "cards"
    port: int = 8082
    mongo_database: str = "plussa_cards"
