"""Configuration of the receipts service, read from PLUSSA_RECEIPTS_* environment variables."""

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from plussa_shared.settings import ServiceSettings


class ReceiptsSettings(ServiceSettings):
    """Settings of the receipts service, the programme's figures among them."""

    model_config = SettingsConfigDict(env_prefix="PLUSSA_RECEIPTS_", extra="ignore")

    service_name: str = "receipts"
    port: int = 8086
    mongo_database: str = "plussa_receipts"

    receipt_chains: list[str] = Field(default=["k-market", "k-supermarket", "k-citymarket"], min_length=1)
    """Purchases in these chains are saved as warranty receipts (programme rule)."""
    keep_months_after_warranty: int = Field(default=6, ge=0, le=120)
    """A receipt stays visible this many months after its last warranty ends (programme rule)."""
    expiry_batch_size: int = Field(default=500, ge=1, le=10_000)
    """How many expired receipts one transaction of the expiry job removes."""
