import random

import pytest

from plussa_cards.domain.card_number import luhn_check_digit, new_card_number, parse_card_number, passes_luhn
from plussa_cards.domain.errors import InvalidCardNumberError


def test_the_luhn_check_digit_matches_published_examples() -> None:
    assert luhn_check_digit("7992739871") == "3"
    assert passes_luhn("4539578763621486")
    assert not passes_luhn("4539578763621487")


def test_new_numbers_have_sixteen_digits_the_prefix_and_a_valid_check_digit() -> None:
    source = random.Random(7)
    numbers = {new_card_number("604012", 16, source.randrange) for _ in range(500)}

    assert len(numbers) == 500
    for number in numbers:
        assert len(number) == 16
        assert number.startswith("604012")
        assert passes_luhn(number)


def test_the_random_source_decides_the_number() -> None:
    first = new_card_number("6040", 16, random.Random(1).randrange)
    again = new_card_number("6040", 16, random.Random(1).randrange)
    other = new_card_number("6040", 16, random.Random(2).randrange)

    assert first == again
    assert first != other


def test_a_typed_number_may_have_spaces_between_groups() -> None:
    number = new_card_number("604012", 16, random.Random(3).randrange)
    spaced = " ".join(number[i : i + 4] for i in range(0, 16, 4))

    assert parse_card_number(spaced, 16) == number


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "abcdabcdabcdabcd",
        "123456789012345",
        "12345678901234567",
        "4539578763621487",
        "".join(chr(0xFF10 + int(d)) for d in "4539578763621486"),  # full-width digits
    ],
)
def test_malformed_or_mistyped_numbers_are_refused(raw: str) -> None:
    with pytest.raises(InvalidCardNumberError):
        parse_card_number(raw, 16)
