"""Earning rules: base points per purchase, exclusions, the MasterCard multiplier,
and how a return reverses the points of the returned lines.

Base points are 1 per full euro of the purchase's eligible spend, rounded down per
purchase. To show points per line, the purchase's points are spread over its
eligible lines by running total (a line gets the points its cents complete), so the
lines always add up to the purchase.
"""

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from plussa_points.domain.errors import ReturnExceedsPurchaseError, UnknownLineError
from plussa_points.domain.rules import ProgrammeRules


@dataclass(frozen=True)
class Line:
    """One purchase line as it stands: what was bought minus what was returned."""

    line_id: str
    category: str
    quantity: int
    amount_cents: int


@dataclass(frozen=True)
class ScoredLine:
    """A line with what it earns."""

    line_id: str
    eligible: bool
    grocery: bool
    amount_cents: int
    base_points: int
    mastercard_points: int

    @property
    def points(self) -> int:
        """All the points of the line."""
        return self.base_points + self.mastercard_points


@dataclass(frozen=True)
class Score:
    """What a purchase (or what remains of it) earns."""

    lines: tuple[ScoredLine, ...]

    @property
    def total_cents(self) -> int:
        """Spend of every line."""
        return sum(line.amount_cents for line in self.lines)

    @property
    def eligible_cents(self) -> int:
        """Spend that earns points."""
        return sum(line.amount_cents for line in self.lines if line.eligible)

    @property
    def grocery_cents(self) -> int:
        """Eligible grocery spend: what counts towards the monthly grocery bonus."""
        return sum(line.amount_cents for line in self.lines if line.grocery)

    @property
    def base_points(self) -> int:
        """Base points of the purchase."""
        return sum(line.base_points for line in self.lines)

    @property
    def mastercard_points(self) -> int:
        """The MasterCard's extra points (not counted towards the grocery bonus)."""
        return sum(line.mastercard_points for line in self.lines)

    @property
    def points(self) -> int:
        """All the points of the purchase."""
        return self.base_points + self.mastercard_points


def is_eligible(rules: ProgrammeRules, category: str) -> bool:
    """Whether a product category earns points."""
    return category not in rules.excluded_categories


def mastercard_applies(rules: ProgrammeRules, paid_with_mastercard: bool, local_day: date) -> bool:
    """Whether the MasterCard multiplier applies to a purchase made on ``local_day``."""
    if not paid_with_mastercard or rules.mastercard_multiplier <= 1:
        return False
    if rules.mastercard_window_start is not None and local_day < rules.mastercard_window_start:
        return False
    return rules.mastercard_window_end is None or local_day <= rules.mastercard_window_end


def score(rules: ProgrammeRules, lines: Sequence[Line], *, mastercard: bool) -> Score:
    """Points of a purchase: base per full euro of eligible spend, spread over lines."""
    multiplier = rules.mastercard_multiplier if mastercard else 1
    running = 0
    scored = []
    for line in lines:
        eligible = is_eligible(rules, line.category)
        base = 0
        if eligible:
            before = running // 100
            running += line.amount_cents
            base = (running // 100 - before) * rules.base_points_per_euro
        scored.append(
            ScoredLine(
                line_id=line.line_id,
                eligible=eligible,
                grocery=eligible and line.category in rules.grocery_categories,
                amount_cents=line.amount_cents,
                base_points=base,
                mastercard_points=base * (multiplier - 1),
            )
        )
    return Score(tuple(scored))


@dataclass(frozen=True)
class ReturnedLine:
    """What a return gives back of one line."""

    line_id: str
    quantity: int
    amount_cents: int


@dataclass(frozen=True)
class ReturnOutcome:
    """The effect of a return: the lines as they remain, and what it takes back."""

    remaining: tuple[Line, ...]
    returned_cents: int
    eligible_cents: int
    grocery_cents: int
    base_points: int
    mastercard_points: int
    points_by_line: dict[str, int]

    @property
    def points(self) -> int:
        """All the points reversed."""
        return self.base_points + self.mastercard_points


def apply_return(
    rules: ProgrammeRules, remaining: Sequence[Line], returned: Sequence[ReturnedLine], *, mastercard: bool
) -> ReturnOutcome:
    """Take returned lines off what remains of a purchase.

    The points reversed are what the purchase earns now less what it earns after the
    return, so returning everything reverses exactly what was earned, never more.
    """
    by_id = {line.line_id: line for line in remaining}
    after = dict(by_id)
    for item in returned:
        line = after.get(item.line_id)
        if line is None:
            raise UnknownLineError(f"The purchase has no line {item.line_id}", line_id=item.line_id)
        if item.quantity > line.quantity or item.amount_cents > line.amount_cents:
            raise ReturnExceedsPurchaseError(
                f"Line {item.line_id} returns more than was bought and not yet returned", line_id=item.line_id
            )
        after[item.line_id] = replace(
            line, quantity=line.quantity - item.quantity, amount_cents=line.amount_cents - item.amount_cents
        )
    now = score(rules, list(by_id.values()), mastercard=mastercard)
    later = score(rules, list(after.values()), mastercard=mastercard)
    later_by_id = {line.line_id: line for line in later.lines}
    return ReturnOutcome(
        remaining=tuple(after.values()),
        returned_cents=now.total_cents - later.total_cents,
        eligible_cents=now.eligible_cents - later.eligible_cents,
        grocery_cents=now.grocery_cents - later.grocery_cents,
        base_points=now.base_points - later.base_points,
        mastercard_points=now.mastercard_points - later.mastercard_points,
        points_by_line={
            line.line_id: line.points - later_by_id[line.line_id].points
            for line in now.lines
            if line.points != later_by_id[line.line_id].points
        },
    )
