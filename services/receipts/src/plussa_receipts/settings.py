"""Configuration of the receipts service, read from PLUSSA_RECEIPTS_* environment variables."""

from pydantic_settings import SettingsConfigDict

from plussa_shared.settings import ServiceSettings


class ReceiptsSettings(ServiceSettings):
    """Settings of the receipts service."""

    model_config = SettingsConfigDict(env_prefix="PLUSSA_RECEIPTS_", extra="ignore")

    service_name: str = "receipts"
    port: int = 8086
    mongo_database: str = "plussa_receipts"
