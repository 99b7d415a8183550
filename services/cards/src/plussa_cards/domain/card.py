"""A Plussa card and its life: the states it goes through and the legal moves between them."""

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from plussa_cards.domain.errors import (
    CardAlreadyActiveError,
    CardAlreadyBlockedError,
    CardNotLinkableError,
    IllegalCardTransitionError,
    MobileCardLimitError,
)
from plussa_cards.domain.recorder import CardsAggregate
from plussa_cards.events.card_activated import CardActivated
from plussa_cards.events.card_blocked import CardBlocked
from plussa_cards.events.card_closed import CardClosed
from plussa_cards.events.card_expired import CardExpired
from plussa_cards.events.card_issued import CardIssued
from plussa_cards.events.card_linked import CardLinked
from plussa_cards.events.card_replaced import CardReplaced
from plussa_cards.events.card_snapshot import CardSnapshot


class CardKind(StrEnum):
    """What kind of card it is."""

    MAIN = "main"
    PARALLEL = "parallel"
    TEMPORARY = "temporary"
    MOBILE = "mobile"


class CardState(StrEnum):
    """Where a card is in its life."""

    ORDERED = "ordered"
    ACTIVE = "active"
    BLOCKED = "blocked"
    REPLACED = "replaced"
    CLOSED = "closed"
    EXPIRED = "expired"


class BlockReason(StrEnum):
    """Why a card was blocked."""

    LOST = "lost"
    STOLEN = "stolen"
    DAMAGED = "damaged"
    ISSUER = "issuer"


LEGAL_TRANSITIONS: dict[CardState, frozenset[CardState]] = {
    CardState.ORDERED: frozenset({CardState.ACTIVE, CardState.BLOCKED, CardState.CLOSED}),
    CardState.ACTIVE: frozenset({CardState.BLOCKED, CardState.REPLACED, CardState.CLOSED, CardState.EXPIRED}),
    # A blocked card never becomes active again: it can only be replaced or closed.
    CardState.BLOCKED: frozenset({CardState.REPLACED, CardState.CLOSED}),
    CardState.REPLACED: frozenset(),
    CardState.CLOSED: frozenset(),
    CardState.EXPIRED: frozenset(),
}

LIVE_STATES = frozenset({CardState.ORDERED, CardState.ACTIVE, CardState.BLOCKED})
"""States a holder still sees their card in; the others are final."""


@dataclass
class Card(CardsAggregate):
    """One card. Every change bumps ``version`` and records its event."""

    card_id: str
    card_number: str
    kind: CardKind
    state: CardState
    household_id: str | None
    person_id: str | None
    issued_at: datetime
    valid_until: date | None = None
    replaces_card_id: str | None = None
    replacement_card_id: str | None = None
    """The card ordered to replace this one, once ordered."""
    issued_by: str | None = None
    """The store that handed the card over, if one did."""
    version: int = 1

    @classmethod
    def issue(
        cls,
        *,
        card_id: str,
        card_number: str,
        kind: CardKind,
        household_id: str | None,
        person_id: str | None,
        now: datetime,
        active: bool,
        valid_until: date | None = None,
        replaces_card_id: str | None = None,
        issued_by: str | None = None,
    ) -> "Card":
        """A new card, ``active`` at once (handed over or usable as a number) or ``ordered`` (on its way)."""
        card = cls(
            card_id=card_id,
            card_number=card_number,
            kind=kind,
            state=CardState.ACTIVE if active else CardState.ORDERED,
            household_id=household_id,
            person_id=person_id,
            issued_at=now,
            valid_until=valid_until,
            replaces_card_id=replaces_card_id,
            issued_by=issued_by,
        )
        card._happened(CardIssued(card=card.snapshot(now.date()), occurred_at=now))
        return card

    @property
    def is_live(self) -> bool:
        """Not yet in a final state."""
        return self.state in LIVE_STATES

    @property
    def is_linked(self) -> bool:
        """On a member's account (every card but an unlinked temporary card)."""
        return self.household_id is not None

    def can_earn(self, today: date) -> bool:
        """Purchases with this card may earn points now."""
        return self.state is CardState.ACTIVE and (self.valid_until is None or today <= self.valid_until)

    def can_spend(self, today: date) -> bool:
        """The card itself may spend Plussa money now (a temporary card never may)."""
        return self.can_earn(today) and self.kind is not CardKind.TEMPORARY and self.is_linked

    def snapshot(self, today: date) -> CardSnapshot:
        """The card as consumers see it."""
        return CardSnapshot(
            card_id=self.card_id,
            card_number=self.card_number,
            kind=self.kind.value,
            state=self.state.value,
            household_id=self.household_id,
            person_id=self.person_id,
            can_earn=self.can_earn(today),
            can_spend=self.can_spend(today),
            valid_until=self.valid_until,
            replaces_card_id=self.replaces_card_id,
            version=self.version,
        )

    def activate(self, now: datetime) -> None:
        """The holder received the card and starts using it."""
        if self.state is CardState.ACTIVE:
            raise CardAlreadyActiveError()
        self._move(CardState.ACTIVE, "activate")
        self._happened(CardActivated(card=self.snapshot(now.date()), occurred_at=now))

    def block(self, reason: BlockReason, now: datetime) -> None:
        """Stop the card at once; it never earns or spends again."""
        if self.state is CardState.BLOCKED:
            raise CardAlreadyBlockedError()
        self._move(CardState.BLOCKED, "block")
        self._happened(CardBlocked(card=self.snapshot(now.date()), reason=reason.value, occurred_at=now))

    def mark_replaced(self, new_card_id: str, now: datetime) -> None:
        """The card's successor took over the account."""
        self._move(CardState.REPLACED, "replace")
        self.replacement_card_id = new_card_id
        self._happened(CardReplaced(card=self.snapshot(now.date()), new_card_id=new_card_id, occurred_at=now))

    def close(self, reason: str, now: datetime) -> None:
        """End the card for good (its holder left, or their data was erased)."""
        self._move(CardState.CLOSED, "close")
        self._happened(CardClosed(card=self.snapshot(now.date()), reason=reason, occurred_at=now))

    def is_due_to_expire(self, today: date) -> bool:
        """An unlinked temporary card whose validity has run out."""
        return (
            self.kind is CardKind.TEMPORARY
            and not self.is_linked
            and self.state is CardState.ACTIVE
            and self.valid_until is not None
            and today > self.valid_until
        )

    def expire(self, now: datetime) -> None:
        """An unlinked temporary card ran out of validity."""
        if not self.is_due_to_expire(now.date()):
            raise IllegalCardTransitionError("Only an unlinked temporary card past its validity expires")
        self._move(CardState.EXPIRED, "expire")
        self._happened(CardExpired(card=self.snapshot(now.date()), occurred_at=now))

    def link(self, household_id: str, person_id: str, now: datetime) -> None:
        """Put a temporary card on a member's account; it then no longer expires."""
        if self.kind is not CardKind.TEMPORARY or self.is_linked or not self.can_earn(now.date()):
            raise CardNotLinkableError("Only a valid temporary card not yet linked can be linked")
        self.household_id = household_id
        self.person_id = person_id
        self.valid_until = None
        self._bump()
        self._happened(CardLinked(card=self.snapshot(now.date()), occurred_at=now))

    def move_to(self, household_id: str, now: datetime) -> None:
        """The card goes with its holder to a household of their own (``card.linked`` names it)."""
        if self.household_id == household_id:
            return
        self.household_id = household_id
        self._bump()
        self._happened(CardLinked(card=self.snapshot(now.date()), occurred_at=now))

    def _move(self, to: CardState, action: str) -> None:
        if to not in LEGAL_TRANSITIONS[self.state]:
            raise IllegalCardTransitionError(
                f"A card that is {self.state.value} does not allow: {action}",
                state=self.state.value,
                action=action,
            )
        self.state = to
        self._bump()

    def _bump(self) -> None:
        self.version += 1


def require_mobile_card_room(cards_of_person: list[Card], limit: int) -> None:
    """A person has at most ``limit`` live mobile cards."""
    live = [c for c in cards_of_person if c.kind is CardKind.MOBILE and c.is_live]
    if len(live) >= limit:
        raise MobileCardLimitError(f"A person has at most {limit} mobile card(s)", limit=limit)
