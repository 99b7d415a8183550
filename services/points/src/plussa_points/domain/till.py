"""A spend of Plussa money at a till: idempotent per till transaction id."""

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from plussa_points.domain.errors import DuplicateIdConflictError

SPENT = "spent"
CANCELLED = "cancelled"


@dataclass(frozen=True)
class Spend:
    """What a till transaction took from which lots, and what stayed usable."""

    till_transaction_id: str
    household_id: str
    person_id: str | None
    card_id: str
    card_number: str
    requested_cents: int
    spent_cents: int
    remaining_cents: int
    lots: tuple[tuple[str, int], ...]
    """(lot id, cents) taken, oldest lot first."""
    at: datetime
    state: str = SPENT
    cancelled_at: datetime | None = None

    def again(self, card_number: str, amount_cents: int) -> "Spend":
        """The answer to the same request sent again; other content under the id is a conflict."""
        if self.card_number != card_number or self.requested_cents != amount_cents:
            raise DuplicateIdConflictError("The till transaction id was already used for another spend")
        return self

    def cancelled(self, at: datetime, remaining_cents: int) -> "Spend":
        """The spend given back to its lots."""
        return replace(self, state=CANCELLED, cancelled_at=at, remaining_cents=remaining_cents)


def lot_parts(parts: tuple[tuple[str, int], ...]) -> list[dict[str, Any]]:
    """(lot id, cents) pairs as recorded and published."""
    return [{"lot_id": lot_id, "cents": cents} for lot_id, cents in parts]
