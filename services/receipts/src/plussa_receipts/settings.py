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
    consumer_prefetch: int = Field(default=256, ge=1, le=1000)
    """Purchases in flight: enough for a batch to fill while others are applied."""
    purchase_batch_max: int = Field(default=64, ge=1, le=500)
    """Purchase events saved together in one transaction when they are ready at once."""
    purchase_batch_linger_ms: float = Field(default=10.0, ge=0, le=1_000)
    """How long a purchase waits for others to share its transaction."""
