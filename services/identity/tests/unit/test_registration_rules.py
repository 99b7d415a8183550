from datetime import date

import pytest

from plussa_identity.domain.card_numbers import is_valid_card_number, normalise_card_number, with_check_digit
from plussa_identity.domain.errors import CardNotEligibleError, CardNotRecognisedError
from plussa_identity.domain.members import CardView, MemberView, member_for_registration

BORN = date(1984, 5, 17)
MEMBER = MemberView(person_id="p1", household_id="h1", role="main", date_of_birth=BORN)


def card(**changes: object) -> CardView:
    values: dict[str, object] = {
        "card_id": "c1",
        "card_number": with_check_digit("606412345678901"),
        "kind": "main",
        "state": "active",
        "household_id": "h1",
        "person_id": "p1",
        "version": 1,
    }
    return CardView.model_validate({**values, **changes})


def test_a_valid_card_number_passes_the_luhn_check_and_a_changed_digit_fails_it() -> None:
    number = with_check_digit("606412345678901")
    broken = number[:-1] + str((int(number[-1]) + 1) % 10)
    assert is_valid_card_number(number)
    assert not is_valid_card_number(broken)
    assert not is_valid_card_number(number[:-1])


def test_spaces_and_dashes_between_digit_groups_are_ignored() -> None:
    assert normalise_card_number("6064 1234-5678 9012") == "6064123456789012"


def test_the_holder_of_an_active_main_card_with_the_right_date_of_birth_may_register() -> None:
    assert member_for_registration(card(), MEMBER, BORN) == MEMBER


def test_a_parallel_card_may_be_used_too() -> None:
    parallel = MEMBER.model_copy(update={"role": "parallel"})
    assert member_for_registration(card(kind="parallel"), parallel, BORN) == parallel


def test_an_unknown_card_and_a_wrong_date_of_birth_get_the_same_answer() -> None:
    with pytest.raises(CardNotRecognisedError):
        member_for_registration(None, None, BORN)
    with pytest.raises(CardNotRecognisedError):
        member_for_registration(card(), MEMBER, date(1990, 1, 1))


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"state": "blocked"}, "card_blocked"),
        ({"state": "closed"}, "card_closed"),
        ({"kind": "temporary"}, "temporary_card"),
    ],
)
def test_a_blocked_closed_or_temporary_card_cannot_be_used(changes: dict[str, object], reason: str) -> None:
    with pytest.raises(CardNotEligibleError) as caught:
        member_for_registration(card(**changes), MEMBER, BORN)
    assert [(e["pointer"], e["code"]) for e in caught.value.extras["errors"]] == [("/card_number", reason)]


def test_a_person_removed_from_the_household_cannot_register() -> None:
    removed = MEMBER.model_copy(update={"removed": True, "household_id": None, "role": None})
    with pytest.raises(CardNotEligibleError):
        member_for_registration(card(), removed, BORN)
