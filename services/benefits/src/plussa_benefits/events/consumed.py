"""This service's own copy of the events it reads (unknown fields are ignored).

From cards only what targeting needs: who holds which card, household roles and
language (no names, e-mail or dates of birth).
"""

from typing import Literal

from pydantic import AwareDatetime, Field

from plussa_shared.events import ConsumedEventData
from plussa_shared.strict import Id

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


class MemberAdded(ConsumedEventData):
    """``fi.plussa.cards.member.added``: role and language only."""

    household_id: str = Field(min_length=1, max_length=100)
    person_id: str = Field(min_length=1, max_length=100)
    role: Literal["main", "parallel"]
    language: Literal["fi", "sv", "en"] = "fi"


class MemberRemoved(ConsumedEventData):
    """``fi.plussa.cards.member.removed``."""

    household_id: str
    person_id: str


class StatusChanged(ConsumedEventData):
    """``fi.plussa.points.status.changed``: the household's Best Customer status."""

    household_id: str = Field(min_length=1, max_length=100)
    status: Literal["best_customer", "regular"]


class PurchaseLineIn(ConsumedEventData):
    """One line of a completed purchase."""

    line_id: Id
    product_id: str = Field(default="", max_length=128, pattern=r"^[A-Za-z0-9_.:\-]*$")
    category: str = Field(pattern=r"^[a-z0-9_\-]{1,50}$")
    quantity: int
    amount_cents: int = Field(ge=0, le=100_000_000)


class PurchaseCompleted(ConsumedEventData):
    """``fi.plussa.stores.purchase.completed``."""

    purchase_id: Id
    card_number: str = Field(pattern=r"^[0-9]{16}$")
    store_id: Id
    chain: str = Field(pattern=r"^[a-z0-9_\-]{1,50}$")
    occurred_at: AwareDatetime
    lines: list[PurchaseLineIn] = Field(max_length=1000)


class ReturnLineIn(ConsumedEventData):
    """One returned line."""

    line_id: Id
    amount_cents: int = Field(ge=0, le=100_000_000)


class PurchaseReturned(ConsumedEventData):
    """``fi.plussa.stores.purchase.returned``."""

    return_id: Id
    purchase_id: Id
    occurred_at: AwareDatetime
    lines: list[ReturnLineIn] = Field(max_length=1000)
