"""Configuration of the benefits service, read from PLUSSA_BENEFITS_* environment variables."""

from datetime import timedelta
from zoneinfo import ZoneInfo

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from plussa_benefits.domain.offers import OfferLimits
from plussa_shared.settings import ServiceSettings


class BenefitsSettings(ServiceSettings):
    """Settings of the benefits service; the programme figures of offers and sponsorship."""

    model_config = SettingsConfigDict(env_prefix="PLUSSA_BENEFITS_", extra="ignore")

    service_name: str = "benefits"
    port: int = 8084
    mongo_database: str = "plussa_benefits"

    programme_time_zone: str = "Europe/Helsinki"
    max_campaign_points: int = Field(default=100_000, gt=0)
    """The most points one offer may give at once (the points service refuses more)."""
    max_percent_basis_points: int = Field(default=5_000, gt=0, le=10_000)
    max_euro_benefit_cents: int = Field(default=100_00, gt=0)
    max_offer_days: int = Field(default=366, gt=0)
    max_redemptions_per_person: int = Field(default=100, gt=0)
    point_value_millicents: int = Field(default=500, gt=0)
    """What a point is worth when ranking offers, in thousandths of a cent (1,000 points = 5 euros)."""
    not_eligible_categories: list[str] = Field(
        default_factory=lambda: ["alcohol", "tobacco", "deposit", "betting", "gift_card"]
    )
    """Spend in these categories gives no share to a sponsored cause (as with points)."""
    default_share_basis_points: int = Field(default=100, gt=0, le=2_000)
    """A store programme's share of eligible spend when it names none: 1 %."""
    targeting_chunk: int = Field(default=500, ge=1, le=10_000)
    """People evaluated per transaction when a newly published offer is targeted."""
    purchase_clock_skew_s: int = Field(default=300, ge=0, le=86_400)
    """How far in the future a purchase's time may be (store clocks drift)."""
    purchase_max_age_days: int = Field(default=400, ge=1, le=3_650)
    """How old a purchase may be when it arrives (older ones are refused with the reason)."""
    catalogue_refresh_s: float = Field(default=1.0, gt=0, le=60)
    """How stale the offers' texts shown in "my offers" may be (a held offer not yet
    cached is always fetched)."""
    consumer_prefetch: int = Field(default=256, ge=1, le=1000)
    """Purchases in flight: enough for a batch to fill while others are applied."""
    purchase_batch_max: int = Field(default=64, ge=1, le=500)
    """Purchase events applied together in one transaction when they are ready at once."""
    purchase_batch_linger_ms: float = Field(default=20.0, ge=0, le=1_000)

    @property
    def zone(self) -> ZoneInfo:
        """The programme's time zone: months are calendar months there."""
        return ZoneInfo(self.programme_time_zone)

    def offer_limits(self) -> OfferLimits:
        """The bounds every offer must keep."""
        return OfferLimits(
            max_points=self.max_campaign_points,
            max_basis_points=self.max_percent_basis_points,
            max_euro_cents=self.max_euro_benefit_cents,
            max_window=timedelta(days=self.max_offer_days),
            max_per_person=self.max_redemptions_per_person,
        )
