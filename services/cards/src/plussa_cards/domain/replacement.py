"""Replacing a lost or damaged card with a new number on the same account."""

from datetime import datetime
from enum import StrEnum

from plussa_cards.domain.card import BlockReason, Card, CardKind, CardState
from plussa_cards.domain.errors import IllegalCardTransitionError, ReplacementAlreadyOrderedError


class ReplacementReason(StrEnum):
    """Why a card is replaced."""

    LOST = "lost"
    DAMAGED = "damaged"


def order_replacement(
    card: Card,
    reason: ReplacementReason,
    *,
    new_card_id: str,
    new_card_number: str,
    now: datetime,
    damaged_stays_usable: bool = True,
) -> Card:
    """Order the successor of ``card``, on the same household and holder, to be activated on arrival.

    A lost card is blocked at once (if it is not already) and replaced now. A damaged
    card stays usable until its successor is activated (see ``activate``), unless
    ``damaged_stays_usable`` is off: then it is blocked and replaced at once too.
    """
    if card.kind is CardKind.TEMPORARY:
        raise IllegalCardTransitionError("A temporary card is not replaced", state=card.state.value, action="replace")
    if card.replacement_card_id is not None:
        raise ReplacementAlreadyOrderedError()
    retire_now = reason is ReplacementReason.LOST or not damaged_stays_usable
    if reason is ReplacementReason.DAMAGED and card.state is not CardState.ACTIVE:
        raise IllegalCardTransitionError(
            "Only an active card is replaced as damaged", state=card.state.value, action="replace"
        )
    if retire_now and card.state is not CardState.BLOCKED:
        card.block(BlockReason(reason.value), now)
    successor = Card.issue(
        card_id=new_card_id,
        card_number=new_card_number,
        kind=card.kind,
        household_id=card.household_id,
        person_id=card.person_id,
        now=now,
        active=False,
        replaces_card_id=card.card_id,
    )
    if retire_now:
        card.mark_replaced(successor.card_id, now)
    else:
        card.replacement_card_id = successor.card_id
    return successor


def activate(card: Card, predecessor: Card | None, now: datetime) -> None:
    """Activate ``card``; a damaged predecessor still in use is retired at the same moment."""
    card.activate(now)
    if (
        predecessor is not None
        and predecessor.replacement_card_id == card.card_id
        and predecessor.state in (CardState.ACTIVE, CardState.BLOCKED)
    ):
        predecessor.mark_replaced(card.card_id, now)
