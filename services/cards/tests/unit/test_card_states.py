from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from plussa_cards.domain.card import LEGAL_TRANSITIONS, BlockReason, Card, CardKind, CardState
from plussa_cards.domain.errors import (
    CardAlreadyActiveError,
    CardAlreadyBlockedError,
    CardNotLinkableError,
    IllegalCardTransitionError,
    ReplacementAlreadyOrderedError,
)
from plussa_cards.domain.replacement import ReplacementReason, activate, order_replacement
from plussa_cards.events.card_blocked import CardBlocked
from plussa_cards.events.card_issued import CardIssued
from plussa_cards.events.card_replaced import CardReplaced
from plussa_shared.domain import Aggregate


def recorded(aggregate: Aggregate) -> list[Any]:
    """The events the aggregate recorded and nobody pulled yet."""
    return [r.data for r in aggregate.recorded_events]


NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
TODAY = NOW.date()


def a_card(kind: CardKind = CardKind.MAIN, *, active: bool = True, valid_until: date | None = None) -> Card:
    linked = kind is not CardKind.TEMPORARY
    card = Card.issue(
        card_id="c1",
        card_number="6040120000000001",
        kind=kind,
        household_id="h1" if linked else None,
        person_id="p1" if linked else None,
        now=NOW,
        active=active,
        valid_until=valid_until,
    )
    card.pull_events()
    return card


def test_a_new_card_records_its_issue_with_version_one() -> None:
    card = Card.issue(
        card_id="c1",
        card_number="6040120000000001",
        kind=CardKind.MAIN,
        household_id="h1",
        person_id="p1",
        now=NOW,
        active=True,
    )

    [issued] = recorded(card)
    assert isinstance(issued, CardIssued)
    assert issued.card.version == 1
    assert issued.card.can_earn
    assert issued.card.can_spend


def test_every_change_raises_the_version_by_one() -> None:
    card = a_card(active=False)
    card.activate(NOW)
    card.block(BlockReason.LOST, NOW)

    assert card.version == 3
    assert [e.card.version for e in recorded(card)] == [2, 3]  # type: ignore[attr-defined]


def test_a_blocked_card_never_earns_spends_or_becomes_active_again() -> None:
    card = a_card()
    card.block(BlockReason.STOLEN, NOW)

    assert not card.can_earn(TODAY)
    assert not card.can_spend(TODAY)
    with pytest.raises(IllegalCardTransitionError):
        card.activate(NOW)


def test_blocking_a_card_twice_is_refused_as_already_blocked() -> None:
    card = a_card()
    card.block(BlockReason.LOST, NOW)

    with pytest.raises(CardAlreadyBlockedError):
        card.block(BlockReason.LOST, NOW)


def test_activating_an_active_card_is_refused() -> None:
    with pytest.raises(CardAlreadyActiveError):
        a_card().activate(NOW)


@pytest.mark.parametrize("final", [CardState.REPLACED, CardState.CLOSED, CardState.EXPIRED])
def test_final_states_allow_no_transition(final: CardState) -> None:
    assert LEGAL_TRANSITIONS[final] == frozenset()
    card = a_card()
    card.state = final

    for action in (card.activate, lambda now: card.block(BlockReason.LOST, now), lambda now: card.close("x", now)):
        with pytest.raises(IllegalCardTransitionError):
            action(NOW)


def test_only_an_active_card_in_its_validity_earns() -> None:
    ordered = a_card(active=False)
    temporary = a_card(CardKind.TEMPORARY, valid_until=TODAY)

    assert not ordered.can_earn(TODAY)
    assert temporary.can_earn(TODAY)
    assert not temporary.can_earn(TODAY + timedelta(days=1))


def test_a_temporary_card_earns_but_never_spends_even_when_linked() -> None:
    card = a_card(CardKind.TEMPORARY, valid_until=TODAY + timedelta(days=90))
    assert card.can_earn(TODAY)
    assert not card.can_spend(TODAY)

    card.link("h1", "p1", NOW)

    assert card.valid_until is None
    assert card.household_id == "h1"
    assert card.person_id == "p1"
    assert card.can_earn(TODAY + timedelta(days=400))
    assert not card.can_spend(TODAY)


def test_a_temporary_card_is_linked_only_once_and_only_while_valid() -> None:
    card = a_card(CardKind.TEMPORARY, valid_until=TODAY)
    card.link("h1", "p1", NOW)
    with pytest.raises(CardNotLinkableError):
        card.link("h2", "p2", NOW)

    stale = a_card(CardKind.TEMPORARY, valid_until=TODAY - timedelta(days=1))
    with pytest.raises(CardNotLinkableError):
        stale.link("h1", "p1", NOW)
    with pytest.raises(CardNotLinkableError):
        a_card(CardKind.MAIN).link("h1", "p1", NOW)


def test_only_an_unlinked_temporary_card_past_its_last_day_expires() -> None:
    card = a_card(CardKind.TEMPORARY, valid_until=TODAY)
    assert not card.is_due_to_expire(TODAY)
    with pytest.raises(IllegalCardTransitionError):
        card.expire(NOW)

    card.expire(NOW + timedelta(days=1))
    assert card.state is CardState.EXPIRED

    linked = a_card(CardKind.TEMPORARY, valid_until=TODAY)
    linked.link("h1", "p1", NOW)
    assert not linked.is_due_to_expire(TODAY + timedelta(days=365))


def test_a_lost_card_is_blocked_and_replaced_by_an_ordered_card_on_the_same_account() -> None:
    card = a_card()

    new = order_replacement(card, ReplacementReason.LOST, new_card_id="c2", new_card_number="6040120000000019", now=NOW)

    assert card.state is CardState.REPLACED
    assert [type(e) for e in recorded(card)] == [CardBlocked, CardReplaced]
    assert (new.household_id, new.person_id, new.kind) == (card.household_id, card.person_id, card.kind)
    assert new.state is CardState.ORDERED
    assert new.replaces_card_id == "c1"
    replaced = recorded(card)[-1]
    assert isinstance(replaced, CardReplaced)
    assert replaced.new_card_id == "c2"


def test_a_damaged_card_stays_usable_until_its_successor_is_activated() -> None:
    card = a_card()
    new = order_replacement(
        card, ReplacementReason.DAMAGED, new_card_id="c2", new_card_number="6040120000000019", now=NOW
    )
    assert card.state is CardState.ACTIVE
    assert card.can_earn(TODAY)
    assert not new.can_earn(TODAY)

    activate(new, card, NOW)

    assert new.state is CardState.ACTIVE
    assert card.state is CardState.REPLACED
    assert not card.can_earn(TODAY)


def test_a_card_is_replaced_once_and_a_closed_card_not_at_all() -> None:
    card = a_card()
    order_replacement(card, ReplacementReason.DAMAGED, new_card_id="c2", new_card_number="6040120000000019", now=NOW)
    with pytest.raises(ReplacementAlreadyOrderedError):
        order_replacement(card, ReplacementReason.LOST, new_card_id="c3", new_card_number="6040120000000027", now=NOW)

    closed = a_card()
    closed.close("member_removed", NOW)
    for reason in ReplacementReason:
        with pytest.raises(IllegalCardTransitionError):
            order_replacement(closed, reason, new_card_id="c4", new_card_number="6040120000000035", now=NOW)


def test_a_damaged_card_is_blocked_at_once_when_configured_so() -> None:
    card = a_card()

    new = order_replacement(
        card,
        ReplacementReason.DAMAGED,
        new_card_id="c2",
        new_card_number="6040120000000019",
        now=NOW,
        damaged_stays_usable=False,
    )

    assert card.state is CardState.REPLACED
    blocked = recorded(card)[0]
    assert isinstance(blocked, CardBlocked)
    assert blocked.reason == "damaged"
    assert new.state is CardState.ORDERED
