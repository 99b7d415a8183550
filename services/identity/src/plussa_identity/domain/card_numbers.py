"""Plussa card numbers: 16 digits whose last one is a Luhn check digit."""

import re

CARD_NUMBER = re.compile(r"^[0-9]{16}$")


def normalise_card_number(raw: str) -> str:
    """The number without the spaces and dashes people type between digit groups."""
    return re.sub(r"[\s-]", "", raw)


def is_valid_card_number(number: str) -> bool:
    """Sixteen digits passing the Luhn check."""
    if not CARD_NUMBER.match(number):
        return False
    total = 0
    for position, char in enumerate(reversed(number)):
        digit = int(char)
        if position % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def with_check_digit(first_fifteen: str) -> str:
    """Complete fifteen digits with their Luhn check digit."""
    for check in "0123456789":
        if is_valid_card_number(first_fifteen + check):
            return first_fifteen + check
    raise ValueError("fifteen digits expected")
