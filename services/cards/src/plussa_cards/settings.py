"""Configuration of the cards service, read from PLUSSA_CARDS_* environment variables."""

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from plussa_shared.settings import ServiceSettings


class CardsSettings(ServiceSettings):
    """Settings of the cards service; every programme figure lives here, not in code."""

    model_config = SettingsConfigDict(env_prefix="PLUSSA_CARDS_", extra="ignore")

    service_name: str = "cards"
    port: int = 8082
    mongo_database: str = "plussa_cards"

    max_parallel_holders: int = Field(default=9, ge=0, le=100)
    """How many parallel holders one household may have (programme rule, ours)."""
    parallel_holders_can_use_money_by_default: bool = False
    """Whether a new parallel holder may see and use the Plussa money before the main holder grants it."""
    max_mobile_cards_per_person: int = Field(default=1, ge=0, le=10)
    """How many live mobile cards (a card number in the phone app) one person may have (ours)."""
    temporary_card_validity_months: int = Field(default=3, ge=1, le=60)
    """How long a temporary card from a store is valid unless linked to a member (public rule)."""
    damaged_card_stays_usable: bool = True
    """A damaged card works until its replacement is activated (ours); off, it is blocked when one is ordered."""
    card_number_prefix: str = Field(default="604012", pattern=r"^[0-9]{1,12}$")
    """The issuer prefix of every Plussa card number; the rest is random digits and a Luhn check digit."""
    card_number_length: int = Field(default=16, ge=12, le=19)
    """Digits in a card number, check digit included."""
    expiry_batch_size: int = Field(default=500, ge=1, le=10_000)
    """How many expired temporary cards one pass of the expiry job handles per batch."""
    already_member_answers_per_window: int = Field(default=5, ge=1, le=10_000)
    """How many applications from one client address may be answered `already-a-member` per window;
    beyond it every application from that address gets 429 until the window ends, so the answer
    cannot be used to find out who is a member."""
    already_member_window_s: int = Field(default=600, ge=1, le=86_400)
    """The length of that throttling window, in seconds."""
