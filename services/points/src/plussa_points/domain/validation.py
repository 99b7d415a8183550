"""Refusing impossible purchases and returns before they touch the ledger."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from plussa_points.domain.errors import InvalidPurchaseError, refused
from plussa_points.domain.rules import ProgrammeRules


@dataclass(frozen=True)
class LineFigures:
    """The figures of a purchase or return line that must make sense."""

    line_id: str
    quantity: int
    amount_cents: int


def check_purchase(
    rules: ProgrammeRules, lines: Sequence[LineFigures], total_cents: int, occurred_at: datetime, now: datetime
) -> None:
    """Lines present and unique, quantities and amounts within limits, total equal to
    the lines, and a time that can be real (see ``check_time``)."""
    check_time(rules, occurred_at, now)
    _check_lines(rules, lines, allow_zero_quantity=False)
    if total_cents != sum(line.amount_cents for line in lines):
        raise refused(InvalidPurchaseError, "total_mismatch", "The total is not the sum of the lines", "/total_cents")
    if total_cents > rules.max_purchase_cents:
        raise refused(InvalidPurchaseError, "too_big", "The purchase total is beyond any real purchase", "/total_cents")


def check_return(rules: ProgrammeRules, lines: Sequence[LineFigures], occurred_at: datetime, now: datetime) -> None:
    """Lines present and unique, non-negative and within limits, something actually
    returned, at a time that can be real."""
    check_time(rules, occurred_at, now)
    _check_lines(rules, lines, allow_zero_quantity=True)
    if sum(line.amount_cents for line in lines) == 0 and sum(line.quantity for line in lines) == 0:
        raise refused(InvalidPurchaseError, "nothing_returned", "The return gives nothing back", "/lines")


def check_time(rules: ProgrammeRules, occurred_at: datetime, now: datetime) -> None:
    """Not later than now plus the tills' clock skew, not older than the oldest purchase
    a store system may still send: a purchase dated 2999 would count in month 2999-01,
    one dated 0001 in a month closed long ago."""
    if occurred_at > now + timedelta(seconds=rules.purchase_clock_skew_s):
        raise refused(InvalidPurchaseError, "in_the_future", "The time is in the future", "/occurred_at")
    if occurred_at < now - timedelta(days=rules.purchase_max_age_days):
        detail = f"The time is more than {rules.purchase_max_age_days} days ago"
        raise refused(InvalidPurchaseError, "too_old", detail, "/occurred_at")


def _check_lines(rules: ProgrammeRules, lines: Sequence[LineFigures], *, allow_zero_quantity: bool) -> None:
    if not lines:
        raise refused(InvalidPurchaseError, "too_short", "There are no lines", "/lines")
    if len(lines) > rules.max_purchase_lines:
        raise refused(InvalidPurchaseError, "too_long", "There are too many lines", "/lines")
    if len({line.line_id for line in lines}) != len(lines):
        raise refused(InvalidPurchaseError, "not_unique", "Line ids repeat", "/lines")
    lowest = 0 if allow_zero_quantity else 1
    for i, line in enumerate(lines):
        if line.amount_cents < 0:
            raise refused(InvalidPurchaseError, "too_small", "A line amount is negative", f"/lines/{i}/amount_cents")
        if line.amount_cents > rules.max_purchase_cents:
            detail = "A line amount is beyond any real purchase"
            raise refused(InvalidPurchaseError, "too_big", detail, f"/lines/{i}/amount_cents")
        if not lowest <= line.quantity <= rules.max_line_quantity:
            raise refused(
                InvalidPurchaseError, "out_of_range", "A line quantity is out of range", f"/lines/{i}/quantity"
            )
