from datetime import UTC, date, datetime
from typing import Any

import pytest

from plussa_cards.domain.access import require_card_holder, require_main_holder, visible_cards
from plussa_cards.domain.card import BlockReason, Card, CardKind
from plussa_cards.domain.dates import add_months
from plussa_cards.domain.errors import (
    CardNotFoundError,
    FullCardNumberRefusedError,
    MainHolderOnlyError,
    NotAParallelHolderError,
    NotYourCardError,
    ParallelHolderLimitError,
)
from plussa_cards.domain.household import Household
from plussa_cards.domain.member import Member, PersonDetails, Role, person_identity_key
from plussa_cards.domain.payment_card import PaymentCard, looks_like_card_number
from plussa_cards.events.access_granted import AccessGranted
from plussa_cards.events.member_added import MemberAdded
from plussa_shared.domain import Aggregate


def recorded(aggregate: Aggregate) -> list[Any]:
    """The events the aggregate recorded and nobody pulled yet."""
    return [r.data for r in aggregate.recorded_events]


NOW = datetime(2026, 1, 31, 9, 0, tzinfo=UTC)


def member(person_id: str, role: Role = Role.PARALLEL, household_id: str = "h1") -> Member:
    return Member.join(
        person_id=person_id,
        household_id=household_id,
        role=role,
        details=PersonDetails(first_name=f"Name{person_id}", last_name="Virtanen", date_of_birth=date(1990, 5, 1)),
        can_use_money=role is Role.MAIN,
        now=NOW,
    )


def card_of(person: Member, card_id: str) -> Card:
    return Card.issue(
        card_id=card_id,
        card_number="6040120000000001",
        kind=CardKind.MAIN if person.is_main else CardKind.PARALLEL,
        household_id=person.household_id,
        person_id=person.person_id,
        now=NOW,
        active=True,
    )


def test_a_household_takes_parallel_holders_up_to_the_configured_limit() -> None:
    household = Household.create("h1", member("main", Role.MAIN), NOW)
    for i in range(3):
        household.add_parallel_holder(member(f"p{i}"), 3, NOW)

    with pytest.raises(ParallelHolderLimitError):
        household.add_parallel_holder(member("p3"), 3, NOW)
    assert len(household.parallel_person_ids) == 3
    assert sum(isinstance(e, MemberAdded) for e in recorded(household)) == 4


def test_a_removed_slot_can_be_filled_again() -> None:
    household = Household.create("h1", member("main", Role.MAIN), NOW)
    first = member("p1")
    household.add_parallel_holder(first, 1, NOW)
    household.remove_parallel_holder(first, NOW)

    household.add_parallel_holder(member("p2"), 1, NOW)

    assert household.parallel_person_ids == ["p2"]
    assert not first.is_active
    assert first.identity_key is None


def test_money_access_is_granted_once_and_never_to_the_main_holder() -> None:
    main = member("main", Role.MAIN)
    household = Household.create("h1", main, NOW)
    parallel = member("p1")
    household.add_parallel_holder(parallel, 9, NOW)
    household.pull_events()

    assert household.set_money_access(parallel, True, NOW)
    assert not household.set_money_access(parallel, True, NOW)
    assert parallel.may_use_money
    assert [type(e) for e in recorded(household)] == [AccessGranted]
    with pytest.raises(NotAParallelHolderError):
        household.set_money_access(main, False, NOW)


def test_a_parallel_holder_acts_only_on_their_own_card_and_never_as_main() -> None:
    main, parallel, sibling = member("main", Role.MAIN), member("p1"), member("p2")
    stranger = member("x", Role.MAIN, household_id="h2")

    with pytest.raises(MainHolderOnlyError):
        require_main_holder(parallel)
    require_card_holder(parallel, card_of(parallel, "c1"))
    require_card_holder(main, card_of(sibling, "c2"))
    with pytest.raises(NotYourCardError):
        require_card_holder(parallel, card_of(sibling, "c2"))
    with pytest.raises(CardNotFoundError):
        require_card_holder(stranger, card_of(parallel, "c1"))


def test_the_main_holder_sees_every_live_card_and_a_parallel_holder_their_own() -> None:
    main, parallel = member("main", Role.MAIN), member("p1")
    cards = [card_of(main, "c1"), card_of(parallel, "c2"), card_of(parallel, "c3")]
    cards[2].block(BlockReason.LOST, NOW)
    cards[2].mark_replaced("c4", NOW)

    assert [c.card_id for c in visible_cards(main, cards)] == ["c1", "c2"]
    assert [c.card_id for c in visible_cards(parallel, cards)] == ["c2"]


def test_the_same_person_is_recognised_despite_case_accents_and_spacing() -> None:
    born = date(1980, 2, 29)
    assert person_identity_key("Äijälä  Matti", "Virtanen-Koski", born) == person_identity_key(
        "äijälä matti", "VIRTANEN KOSKI", born
    )
    assert person_identity_key("Matti", "Virtanen", born) != person_identity_key("Matti", "Virtanen", date(1980, 3, 1))


@pytest.mark.parametrize(
    "value", ["5555555555554444", "5555 5555 5555 4444", "tok-5555-5555-5555-4444", "123456789012"]
)
def test_anything_holding_a_card_number_is_recognised(value: str) -> None:
    assert looks_like_card_number(value)


def test_a_network_token_and_last_four_digits_link_but_a_full_number_never_does() -> None:
    owner = member("p1")
    linked = PaymentCard.link(
        payment_card_id="pc1", member=owner, network="mastercard", network_token="MCTOK_ab12cd", last4="4444", now=NOW
    )
    assert linked.last4 == "4444"
    for token, last4 in [("5555555555554444", "4444"), ("MCTOK_ab12cd", "5555555555554444")]:
        with pytest.raises(FullCardNumberRefusedError):
            PaymentCard.link(
                payment_card_id="pc2", member=owner, network="mastercard", network_token=token, last4=last4, now=NOW
            )


def test_temporary_card_validity_counts_calendar_months() -> None:
    assert add_months(date(2026, 1, 31), 3) == date(2026, 4, 30)
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)
    assert add_months(date(2027, 11, 29), 3) == date(2028, 2, 29)
