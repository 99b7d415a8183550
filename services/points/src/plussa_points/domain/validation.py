"""Refusing impossible purchases and returns before they touch the ledger."""

from collections.abc import Sequence
from dataclasses import dataclass

from plussa_points.domain.errors import InvalidPurchaseError
from plussa_points.domain.rules import ProgrammeRules


@dataclass(frozen=True)
class LineFigures:
    """The figures of a purchase or return line that must make sense."""

    line_id: str
    quantity: int
    amount_cents: int


def check_purchase(rules: ProgrammeRules, lines: Sequence[LineFigures], total_cents: int) -> None:
    """Lines present and unique, quantities and amounts within limits, total equal to the lines."""
    _check_lines(rules, lines, allow_zero_quantity=False)
    if total_cents != sum(line.amount_cents for line in lines):
        raise InvalidPurchaseError("The total is not the sum of the lines", field="total_cents")
    if total_cents > rules.max_purchase_cents:
        raise InvalidPurchaseError("The purchase total is beyond any real purchase", field="total_cents")


def check_return(rules: ProgrammeRules, lines: Sequence[LineFigures]) -> None:
    """Lines present and unique, non-negative and within limits, something actually returned."""
    _check_lines(rules, lines, allow_zero_quantity=True)
    if sum(line.amount_cents for line in lines) == 0 and sum(line.quantity for line in lines) == 0:
        raise InvalidPurchaseError("The return gives nothing back", field="lines")


def _check_lines(rules: ProgrammeRules, lines: Sequence[LineFigures], *, allow_zero_quantity: bool) -> None:
    if not lines:
        raise InvalidPurchaseError("There are no lines", field="lines")
    if len(lines) > rules.max_purchase_lines:
        raise InvalidPurchaseError("There are too many lines", field="lines")
    if len({line.line_id for line in lines}) != len(lines):
        raise InvalidPurchaseError("Line ids repeat", field="lines")
    lowest = 0 if allow_zero_quantity else 1
    for i, line in enumerate(lines):
        if line.amount_cents < 0:
            raise InvalidPurchaseError("A line amount is negative", field=f"lines.{i}.amount_cents")
        if line.amount_cents > rules.max_purchase_cents:
            raise InvalidPurchaseError("A line amount is beyond any real purchase", field=f"lines.{i}.amount_cents")
        if not lowest <= line.quantity <= rules.max_line_quantity:
            raise InvalidPurchaseError("A line quantity is out of range", field=f"lines.{i}.quantity")
