"""A purchase as the benefits rules read it: who, where, when and which lines."""

from dataclasses import dataclass, replace
from datetime import datetime


@dataclass(frozen=True)
class Line:
    """One purchase line (what remains of it after returns, where that matters)."""

    line_id: str
    product_id: str
    category: str
    quantity: int
    amount_cents: int


@dataclass(frozen=True)
class Purchase:
    """A completed purchase made by a known person."""

    purchase_id: str
    person_id: str
    household_id: str
    store_id: str
    chain: str
    occurred_at: datetime
    lines: tuple[Line, ...]

    def without(self, returned: dict[str, int]) -> "Purchase":
        """The purchase as it stands after ``returned`` cents per line went back."""
        kept = []
        for line in self.lines:
            left = line.amount_cents - returned.get(line.line_id, 0)
            if left > 0:
                kept.append(replace(line, amount_cents=left))
        return replace(self, lines=tuple(kept))


def eligible_cents(lines: tuple[Line, ...], excluded: frozenset[str]) -> int:
    """Spend on lines of categories that count (not deposits, alcohol, tobacco...)."""
    return sum(line.amount_cents for line in lines if line.category not in excluded)
