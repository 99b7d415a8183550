"""Configuration of the points service, read from PLUSSA_POINTS_* environment variables.

Every figure of the programme rules lives here, never in code.
"""

from datetime import date
from typing import Any

from pydantic import BaseModel, Field, field_validator
from pydantic_settings import SettingsConfigDict

from plussa_points.domain.rules import Charity, GroceryStep, ProgrammeRules
from plussa_shared.settings import ServiceSettings
from plussa_shared.texts import LocalizedText


class GroceryStepSetting(BaseModel):
    """One monthly grocery bonus step: from this spend, this many extra points per euro."""

    from_cents: int = Field(gt=0)
    points_per_euro: int = Field(gt=0)


class CharitySetting(BaseModel):
    """A charity people may donate their points to, named in Finnish, Swedish and English
    (a plain string names it alike in all three)."""

    charity_id: str = Field(min_length=1, max_length=64, pattern=r"^[a-z0-9-]+$")
    name: LocalizedText

    @field_validator("name", mode="before")
    @classmethod
    def _one_name_for_all(cls, value: Any) -> Any:
        return {"fi": value, "sv": value, "en": value} if isinstance(value, str) else value


class PointsSettings(ServiceSettings):
    """Settings of the points service."""

    model_config = SettingsConfigDict(env_prefix="PLUSSA_POINTS_", extra="ignore")

    service_name: str = "points"
    port: int = 8083
    mongo_database: str = "plussa_points"

    # Earning
    programme_timezone: str = "Europe/Helsinki"
    base_points_per_euro: int = Field(default=1, ge=0)
    excluded_categories: list[str] = Field(
        default_factory=lambda: ["deposit", "alcohol", "tobacco", "betting", "gift_card"]
    )
    grocery_categories: list[str] = Field(default_factory=lambda: ["grocery"])
    grocery_bonus_steps: list[GroceryStepSetting] = Field(
        default_factory=lambda: [
            GroceryStepSetting(from_cents=35_000, points_per_euro=1),
            GroceryStepSetting(from_cents=50_000, points_per_euro=2),
            GroceryStepSetting(from_cents=70_000, points_per_euro=3),
            GroceryStepSetting(from_cents=90_000, points_per_euro=4),
        ]
    )
    mastercard_multiplier: int = Field(default=2, ge=1)
    mastercard_window_start: date | None = None
    mastercard_window_end: date | None = date(2019, 3, 31)

    # Plussa money
    conversion_points: int = Field(default=1_000, gt=0)
    conversion_cents: int = Field(default=500, gt=0)
    payout_day: int = Field(default=4, ge=1, le=28)
    lot_validity_months: int = Field(default=13, ge=1)
    savings_max_months: int = Field(default=12, ge=1)
    charities: list[CharitySetting] = Field(
        default_factory=lambda: [
            CharitySetting(
                charity_id="red-cross",
                name=LocalizedText(fi="Suomen Punainen Risti", sv="Finlands Röda Kors", en="Finnish Red Cross"),
            ),
            CharitySetting(
                charity_id="unicef", name=LocalizedText(fi="UNICEF Suomi", sv="UNICEF Finland", en="UNICEF Finland")
            ),
            CharitySetting(
                charity_id="mll",
                name=LocalizedText(
                    fi="Mannerheimin Lastensuojeluliitto",
                    sv="Mannerheims Barnskyddsförbund",
                    en="The Mannerheim League for Child Welfare",
                ),
            ),
        ]
    )

    # Status
    best_customer_threshold_cents: int = Field(default=650_000, gt=0)
    best_customer_window_months: int = Field(default=12, ge=1)

    # Limits on input: anything beyond is refused as absurd
    max_purchase_cents: int = Field(default=5_000_000, gt=0)
    max_purchase_lines: int = Field(default=500, gt=0)
    max_line_quantity: int = Field(default=10_000, gt=0)
    max_campaign_points: int = Field(default=100_000, gt=0)
    max_spend_cents: int = Field(default=1_000_000, gt=0)
    # A purchase or return may be dated at most this far ahead of the service's clock
    # (the tills' clocks drift) and at most this many days back (a store system that
    # was offline sends late); anything else is refused, never counted in a wrong month.
    purchase_clock_skew_s: int = Field(default=300, ge=0, le=86_400)
    purchase_max_age_days: int = Field(default=180, ge=1, le=3_650)

    # Month end
    month_end_batch_size: int = Field(default=200, ge=1, le=5_000)
    month_end_concurrency: int = Field(default=4, ge=1, le=64)

    # Purchase ingest: up to this many ready purchases are applied in one transaction
    # (1: one transaction per purchase), gathered for at most the linger time.
    purchase_batch_max: int = Field(default=64, ge=1, le=500)
    purchase_batch_linger_ms: float = Field(default=10.0, ge=0, le=1_000)
    consumer_prefetch: int = Field(default=256, ge=1, le=1000)
    """Purchases in flight: enough for a batch to fill while others are applied."""

    # Views
    money_use_limit: int = Field(default=200, ge=1)

    def rules(self) -> ProgrammeRules:
        """The rules of the programme as the domain sees them."""
        return ProgrammeRules(
            timezone=self.programme_timezone,
            base_points_per_euro=self.base_points_per_euro,
            excluded_categories=frozenset(self.excluded_categories),
            grocery_categories=frozenset(self.grocery_categories),
            grocery_steps=tuple(
                GroceryStep(s.from_cents, s.points_per_euro)
                for s in sorted(self.grocery_bonus_steps, key=lambda s: s.from_cents)
            ),
            mastercard_multiplier=self.mastercard_multiplier,
            mastercard_window_start=self.mastercard_window_start,
            mastercard_window_end=self.mastercard_window_end,
            conversion_points=self.conversion_points,
            conversion_cents=self.conversion_cents,
            payout_day=self.payout_day,
            lot_validity_months=self.lot_validity_months,
            savings_max_months=self.savings_max_months,
            charities=tuple(Charity(c.charity_id, c.name.fi) for c in self.charities),
            best_customer_threshold_cents=self.best_customer_threshold_cents,
            best_customer_window_months=self.best_customer_window_months,
            max_purchase_cents=self.max_purchase_cents,
            max_purchase_lines=self.max_purchase_lines,
            max_line_quantity=self.max_line_quantity,
            max_campaign_points=self.max_campaign_points,
            max_spend_cents=self.max_spend_cents,
            purchase_clock_skew_s=self.purchase_clock_skew_s,
            purchase_max_age_days=self.purchase_max_age_days,
        )
