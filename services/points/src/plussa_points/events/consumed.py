"""This service's own copy of the events it reads (unknown fields are ignored)."""

from datetime import date
from typing import Annotated, Literal

from pydantic import AwareDatetime, Field, StrictInt, StringConstraints

from plussa_shared.events import ConsumedEventData
from plussa_shared.strict import Id, PrintableText, ascii_pattern

CardNumber = Annotated[str, StringConstraints(pattern=ascii_pattern(r"^\d{16}$"))]
"""16 digits, ASCII only (Python's digit class would take any script's digits)."""
Slug = Annotated[str, StringConstraints(min_length=1, max_length=50, pattern=r"^[a-z0-9][a-z0-9_-]*$")]
"""A chain or category name as the contract lists them."""
OptionalId = Annotated[str, StringConstraints(max_length=128, pattern=r"^[A-Za-z0-9_.:\-]*$")]
"""An id store systems may leave empty (a product id)."""
Text = Annotated[PrintableText, StringConstraints(max_length=300)]

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
    reason: str | None = None
    """``card.blocked``/``card.closed``: why (``erased``: the holder was erased)."""


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


class PaymentCardUnlinked(ConsumedEventData):
    """``fi.plussa.cards.payment_card.unlinked``: the MasterCard left ``household_id`` with its holder."""

    payment_card_id: str
    household_id: str
    network_token: str


class MemberRoleChanged(ConsumedEventData):
    """``fi.plussa.cards.member.role_changed``: after a hand-over, one per member whose role changed."""

    household_id: str
    person_id: str
    role: Literal["main", "parallel"]
    can_use_money: bool


class HouseholdHandedOver(ConsumedEventData):
    """``fi.plussa.cards.household.handed_over``."""

    household_id: str
    previous_main_person_id: str
    main_person_id: str


class Payment(ConsumedEventData):
    """How a purchase was paid."""

    method: Slug
    network_token: Id | None = None


class PurchaseLineIn(ConsumedEventData):
    """One line of a completed purchase (numbers are JSON numbers, never strings)."""

    line_id: Id
    product_id: OptionalId = ""
    name: Text = ""
    category: Slug
    quantity: StrictInt
    unit_price_cents: StrictInt | None = None
    amount_cents: StrictInt


class PurchaseCompleted(ConsumedEventData):
    """``fi.plussa.stores.purchase.completed``: from outside (store systems), so read
    strictly: ASCII ids without control characters, numbers that are numbers."""

    purchase_id: Id
    card_number: CardNumber
    store_id: Id
    store_name: Annotated[PrintableText, StringConstraints(max_length=200)] = ""
    chain: Slug
    occurred_at: AwareDatetime
    payment: Payment
    lines: list[PurchaseLineIn] = Field(max_length=10_000)
    total_cents: StrictInt


class ReturnLineIn(ConsumedEventData):
    """One returned line."""

    line_id: Id
    quantity: StrictInt
    amount_cents: StrictInt


class PurchaseReturned(ConsumedEventData):
    """``fi.plussa.stores.purchase.returned``: from outside, read as strictly as a purchase."""

    return_id: Id
    purchase_id: Id
    card_number: CardNumber | Literal[""] = ""
    store_id: Id | Literal[""] = ""
    occurred_at: AwareDatetime
    lines: list[ReturnLineIn] = Field(max_length=10_000)


class CampaignPointsGranted(ConsumedEventData):
    """``fi.plussa.benefits.campaign_points.granted``."""

    grant_id: Id
    household_id: str
    person_id: str
    offer_id: Id
    purchase_id: Id | None = None
    points: StrictInt
    occurred_at: AwareDatetime
