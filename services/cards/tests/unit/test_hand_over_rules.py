from datetime import UTC, date, datetime
from typing import Any

import pytest

from plussa_cards.domain.card import Card, CardKind
from plussa_cards.domain.errors import MainHolderOnlyError, NotAnAdultError, NotAParallelHolderError
from plussa_cards.domain.household import Household, household_version
from plussa_cards.domain.member import Member, PersonDetails, Role
from plussa_cards.domain.payment_card import PaymentCard, PaymentCardState
from plussa_cards.events.household_handed_over import HouseholdHandedOver
from plussa_cards.events.member_role_changed import MemberRoleChanged
from plussa_cards.events.payment_card_linked import PaymentCardLinked
from plussa_cards.events.payment_card_unlinked import PaymentCardUnlinked
from plussa_shared.domain import Aggregate

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def recorded(aggregate: Aggregate) -> list[Any]:
    return [r.data for r in aggregate.recorded_events]


def person(person_id: str, role: Role, born: date, household_id: str = "h1") -> Member:
    return Member.join(
        person_id=person_id,
        household_id=household_id,
        role=role,
        details=PersonDetails(first_name=person_id, last_name="Virtanen", date_of_birth=born),
        can_use_money=role is Role.MAIN,
        now=NOW,
    )


def household_with(*parallel: Member) -> tuple[Household, Member]:
    main = person("main", Role.MAIN, date(1970, 1, 1))
    household = Household.create("h1", main, NOW)
    for member in parallel:
        household.add_parallel_holder(member, 9, NOW)
    household.pull_events()
    return household, main


def test_a_person_comes_of_age_on_their_eighteenth_birthday_and_a_leap_day_child_on_1_march() -> None:
    assert person("p", Role.PARALLEL, date(2008, 3, 1)).is_adult(date(2026, 3, 1))
    assert not person("p", Role.PARALLEL, date(2008, 3, 2)).is_adult(date(2026, 3, 1))
    assert not person("p", Role.PARALLEL, date(2008, 2, 29)).is_adult(date(2026, 2, 28))
    assert person("p", Role.PARALLEL, date(2008, 2, 29)).is_adult(date(2026, 3, 1))


def test_a_hand_over_swaps_the_roles_keeps_the_former_main_holders_money_access_and_says_so() -> None:
    heir = person("heir", Role.PARALLEL, date(2000, 1, 1))
    household, main = household_with(heir)

    household.hand_over(main, heir, NOW.date(), NOW)

    assert household.main_person_id == "heir"
    assert household.parallel_person_ids == ["main"]
    assert (heir.role, heir.may_use_money) == (Role.MAIN, True)
    assert (main.role, main.may_use_money) == (Role.PARALLEL, True)
    handed, *changes = recorded(household)
    assert isinstance(handed, HouseholdHandedOver)
    assert (handed.previous_main_person_id, handed.main_person_id) == ("main", "heir")
    assert all(isinstance(c, MemberRoleChanged) for c in changes)
    assert {(c.person_id, c.role, c.can_use_money) for c in changes} == {
        ("heir", "main", True),
        ("main", "parallel", True),
    }


def test_a_hand_over_to_a_minor_to_oneself_or_by_a_parallel_holder_is_refused_and_changes_nothing() -> None:
    minor = person("minor", Role.PARALLEL, date(2015, 1, 1))
    adult = person("adult", Role.PARALLEL, date(1999, 1, 1))
    household, main = household_with(minor, adult)

    with pytest.raises(NotAnAdultError):
        household.hand_over(main, minor, NOW.date(), NOW)
    with pytest.raises(NotAParallelHolderError):
        household.hand_over(main, main, NOW.date(), NOW)
    with pytest.raises(MainHolderOnlyError):
        household.hand_over(adult, minor, NOW.date(), NOW)

    assert household.main_person_id == "main"
    assert recorded(household) == []


def test_the_household_version_grows_with_its_cards_too() -> None:
    household, _ = household_with()
    card = Card.issue(
        card_id="c1",
        card_number="6040120000000001",
        kind=CardKind.MAIN,
        household_id="h1",
        person_id="main",
        now=NOW,
        active=True,
    )
    before = household_version(household, [card])

    card.close("test", NOW)

    assert household_version(household, [card]) == before + 1


def test_a_mastercard_unlinked_from_a_household_is_linked_again_to_its_holders_new_household() -> None:
    leaving = person("leaving", Role.PARALLEL, date(1990, 1, 1))
    card = PaymentCard.link(
        payment_card_id="pc1", member=leaving, network="mastercard", network_token="MC-TOK-xyz", last4="4242", now=NOW
    )
    card.pull_events()

    card.unlink("member_removed", NOW)
    card.unlink("member_removed", NOW)  # once only
    on_their_own = person("leaving", Role.MAIN, date(1990, 1, 1), household_id="h2")
    card.relink(on_their_own, NOW)

    unlinked, linked = recorded(card)
    assert isinstance(unlinked, PaymentCardUnlinked)
    assert unlinked.household_id == "h1"
    assert isinstance(linked, PaymentCardLinked)
    assert (linked.household_id, card.state) == ("h2", PaymentCardState.ACTIVE)
