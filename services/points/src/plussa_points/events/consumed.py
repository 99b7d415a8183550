"""This service's own copy of the events it reads (unknown fields are ignored)."""

from datetime import date
from typing import Literal

from pydantic import AwareDatetime, Field

from plussa_shared.events import ConsumedEventData

CARD_EVENT_TYPES = [
    "fi.plussa.cards.card.issued",
    "fi.plussa.cards.card.activated",
    "fi.plussa.cards.card.blocked",
    "fi.plussa.cards.card.replaced",
    "fi.plussa.cards.card.closed",
    "fi.plussa.cards.card.expired",
    "fi.plussa.cards.card.linked",
]


class CardSnapshot(ConsumedEventData):
    """A card as it is after a change."""

    card_id: str = Field(min_length=1, max_length=100)
    card_number: str = Field(pattern=r"^\d{16}$")
    kind: str
    state: str
    household_id: str | None = None
    person_id: str | None = None
    can_earn: bool
    can_spend: bool
    valid_until: date | None = None
    version: int = Field(ge=0)


class CardChanged(ConsumedEventData):
    """Any ``fi.plussa.cards.card.*`` event: the card as it is now."""

    card: CardSnapshot


class HouseholdCreated(ConsumedEventData):
    """``fi.plussa.cards.household.created``."""

    household_id: str
    main_person_id: str


class MemberAdded(ConsumedEventData):
    """``fi.plussa.cards.member.added``: only what points needs (no names, no e-mail)."""

    household_id: str
    person_id: str
    role: Literal["main", "parallel"]
    can_use_money: bool = False


class MemberRemoved(ConsumedEventData):
    """``fi.plussa.cards.member.removed``."""

    household_id: str
    person_id: str


class AccessChanged(ConsumedEventData):
    """``fi.plussa.cards.access.granted`` / ``access.withdrawn``."""

    household_id: str
    person_id: str
    can_use_money: bool


class PaymentCardLinked(ConsumedEventData):
    """``fi.plussa.cards.payment_card.linked``: a K-Plussa MasterCard's token."""

    payment_card_id: str
    household_id: str
    person_id: str
    network_token: str


class PaymentCardBlocked(ConsumedEventData):
    """``fi.plussa.cards.payment_card.blocked``."""

    payment_card_id: str
    network_token: str


class Payment(ConsumedEventData):
    """How a purchase was paid."""

    method: str
    network_token: str | None = None


class PurchaseLineIn(ConsumedEventData):
    """One line of a completed purchase."""

    line_id: str = Field(min_length=1, max_length=100)
    product_id: str = Field(default="", max_length=100)
    name: str = Field(default="", max_length=300)
    category: str = Field(min_length=1, max_length=50)
    quantity: int
    unit_price_cents: int | None = None
    amount_cents: int


class PurchaseCompleted(ConsumedEventData):
    """``fi.plussa.stores.purchase.completed``."""

    purchase_id: str = Field(min_length=1, max_length=100)
    card_number: str = Field(min_length=1, max_length=32)
    store_id: str = Field(min_length=1, max_length=100)
    store_name: str = Field(default="", max_length=200)
    chain: str = Field(min_length=1, max_length=50)
    occurred_at: AwareDatetime
    payment: Payment
    lines: list[PurchaseLineIn]
    total_cents: int


class ReturnLineIn(ConsumedEventData):
    """One returned line."""

    line_id: str = Field(min_length=1, max_length=100)
    quantity: int
    amount_cents: int


class PurchaseReturned(ConsumedEventData):
    """``fi.plussa.stores.purchase.returned``."""

    return_id: str = Field(min_length=1, max_length=100)
    purchase_id: str = Field(min_length=1, max_length=100)
    card_number: str = Field(default="", max_length=32)
    store_id: str = Field(default="", max_length=100)
    occurred_at: AwareDatetime
    lines: list[ReturnLineIn]


class CampaignPointsGranted(ConsumedEventData):
    """``fi.plussa.benefits.campaign_points.granted``."""

    grant_id: str = Field(min_length=1, max_length=100)
    household_id: str
    person_id: str
    offer_id: str
    purchase_id: str | None = None
    points: int
    occurred_at: AwareDatetime
