"""The receipts service's own copy of the events it reads (unknown fields are ignored)."""

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
    """A card as it is after a change: only whose it is matters here."""

    card_id: str = Field(min_length=1, max_length=100)
    card_number: str = Field(pattern=r"^[0-9]{16}$")
    household_id: str | None = None
    person_id: str | None = None
    state: str = ""
    version: int = Field(ge=0)


class CardChanged(ConsumedEventData):
    """Any ``fi.plussa.cards.card.*`` event: the card as it is now."""

    card: CardSnapshot
    reason: str | None = None
    """``card.blocked``/``card.closed``: why (``erased``: the holder was erased)."""


class MemberRemoved(ConsumedEventData):
    """``fi.plussa.cards.member.removed``: the person left the household."""

    household_id: str
    person_id: str


class PurchaseLine(ConsumedEventData):
    """One line of a store purchase."""

    line_id: str = Field(min_length=1, max_length=100)
    product_id: str = Field(min_length=1, max_length=100)
    name: str = Field(min_length=1, max_length=200)
    quantity: int = Field(ge=1, le=100_000)
    unit_price_cents: int = Field(ge=0, le=100_000_000)
    amount_cents: int = Field(ge=0, le=100_000_000)
    warranty_months: int | None = Field(default=None, ge=0, le=600)


class PurchaseCompleted(ConsumedEventData):
    """``fi.plussa.stores.purchase.completed``, from store systems."""

    purchase_id: str = Field(min_length=1, max_length=100)
    card_number: str = Field(pattern=r"^[0-9]{16}$")
    store_id: str = Field(min_length=1, max_length=100)
    store_name: str = Field(default="", max_length=200)
    chain: str = Field(min_length=1, max_length=50)
    occurred_at: AwareDatetime
    lines: list[PurchaseLine] = Field(max_length=1000)
    total_cents: int = Field(ge=0)


class ReturnedLine(ConsumedEventData):
    """A returned line of a purchase."""

    line_id: str = Field(min_length=1, max_length=100)
    quantity: int = Field(ge=1, le=100_000)


class PurchaseReturned(ConsumedEventData):
    """``fi.plussa.stores.purchase.returned``."""

    return_id: str = Field(min_length=1, max_length=100)
    purchase_id: str = Field(min_length=1, max_length=100)
    card_number: str = Field(pattern=r"^[0-9]{16}$")
    occurred_at: AwareDatetime
    lines: list[ReturnedLine] = Field(max_length=1000)
