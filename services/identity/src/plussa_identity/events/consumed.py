"""Identity's own copies of the events it consumes: the cards events it learns cards and
members from, and the participants' answers to export and erasure requests."""

from datetime import date
from typing import Any, Literal

from plussa_shared.events import ConsumedEventData


class CardSnapshot(ConsumedEventData):
    """The card as it is after the change."""

    card_id: str
    card_number: str
    kind: str
    state: str
    household_id: str | None = None
    person_id: str | None = None
    version: int


class CardChanged(ConsumedEventData):
    """Any of card.issued/activated/blocked/replaced/closed/expired/linked."""

    card: CardSnapshot
    reason: str | None = None
    """``card.blocked``/``card.closed``: why (``erased``: the holder was erased)."""


class HouseholdCreated(ConsumedEventData):
    """A household and its main holder."""

    household_id: str
    main_person_id: str


class MemberAdded(ConsumedEventData):
    """A person joined a household."""

    household_id: str
    person_id: str
    role: Literal["main", "parallel"]
    first_name: str | None = None
    last_name: str | None = None
    date_of_birth: date
    email: str | None = None
    language: Literal["fi", "sv", "en"] | None = None
    can_use_money: bool = False


class MemberRenamed(ConsumedEventData):
    """``fi.plussa.cards.member.renamed``: cards owns the name; identity's profile projects it."""

    household_id: str
    person_id: str
    first_name: str
    last_name: str


class MemberRemoved(ConsumedEventData):
    """A person left a household."""

    household_id: str
    person_id: str


class AccessChanged(ConsumedEventData):
    """access.granted / access.withdrawn."""

    household_id: str
    person_id: str
    can_use_money: bool


class MemberRoleChanged(ConsumedEventData):
    """``fi.plussa.cards.member.role_changed``: after a hand-over, one per member whose role changed."""

    household_id: str
    person_id: str
    role: Literal["main", "parallel"]
    can_use_money: bool


class HouseholdHandedOver(ConsumedEventData):
    """``fi.plussa.cards.household.handed_over``: a parallel holder became the main holder."""

    household_id: str
    previous_main_person_id: str
    main_person_id: str


class ExportAnswer(ConsumedEventData):
    """Identity's copy of ``fi.plussa.{service}.export.completed``."""

    request_id: str
    person_id: str
    service: str
    data: dict[str, Any]


class ErasureAnswer(ConsumedEventData):
    """Identity's copy of ``fi.plussa.{service}.erasure.completed``."""

    request_id: str
    person_id: str
    service: str


class ErasureRefusal(ConsumedEventData):
    """Identity's copy of ``fi.plussa.{service}.erasure.refused``: nothing was erased, and why
    (a stable slug, ``hand-over-first`` from cards)."""

    request_id: str
    person_id: str
    service: str
    reason: str


CARD_EVENT_TYPES = tuple(
    f"fi.plussa.cards.card.{change}"
    for change in ("issued", "activated", "blocked", "replaced", "closed", "expired", "linked")
)
