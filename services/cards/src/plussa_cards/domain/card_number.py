"""Plussa card numbers: fixed length, an issuer prefix, random digits and a Luhn check digit."""

from collections.abc import Callable

from plussa_cards.domain.errors import InvalidCardNumberError

RandomBelow = Callable[[int], int]
"""A source of randomness: ``random_below(n)`` returns an int in ``[0, n)``."""


def luhn_check_digit(payload: str) -> str:
    """The digit that makes ``payload + digit`` pass the Luhn check."""
    total = 0
    for position, char in enumerate(reversed(payload)):
        digit = int(char)
        if position % 2 == 0:  # these are doubled once the check digit is appended
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return str((10 - total % 10) % 10)


def passes_luhn(number: str) -> bool:
    """Whether a string of digits passes the Luhn check."""
    return number.isascii() and number.isdigit() and luhn_check_digit(number[:-1]) == number[-1]


def new_card_number(prefix: str, length: int, random_below: RandomBelow) -> str:
    """A fresh card number: ``prefix``, random digits, and a Luhn check digit."""
    if not prefix.isdigit() or len(prefix) >= length - 1:
        raise ValueError("the prefix must be digits and leave room for random digits and a check digit")
    payload = prefix + "".join(str(random_below(10)) for _ in range(length - 1 - len(prefix)))
    return payload + luhn_check_digit(payload)


def parse_card_number(raw: str, length: int) -> str:
    """The card number in ``raw`` (spaces allowed between digit groups), or InvalidCardNumberError."""
    number = raw.replace(" ", "")
    if len(number) != length or not passes_luhn(number):
        raise InvalidCardNumberError(f"A card number has {length} digits and a valid check digit")
    return number
