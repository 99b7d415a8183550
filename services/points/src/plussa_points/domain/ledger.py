"""The points ledger: append-only entries, and what an entry moves on its account.

Entries have deterministic ids (``purchase:{purchase_id}``, ``payout:{household}:{month}``...),
so a use case that runs again can never write one twice. Their ``points`` add up to the
account's points and their ``cents`` to its Plussa money.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Entry:
    """One ledger entry."""

    entry_id: str
    household_id: str
    reason: str
    at: datetime
    month: str | None = None
    person_id: str | None = None
    points: int = 0
    cents: int = 0
    reference: str | None = None
    details: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Posting:
    """An entry that earns or takes back points: it moves its account's points, the
    household's month (``figures``) and the person's share of that month (``points``
    and ``spend_cents``)."""

    entry: Entry
    spend_cents: int
    figures: Mapping[str, int]

    @property
    def account_id(self) -> str:
        """The account the entry is on (a household, or an unlinked card's own)."""
        return self.entry.household_id

    @property
    def month(self) -> str:
        """The month the entry counts in."""
        assert self.entry.month is not None
        return self.entry.month


def account_kind(account_id: str) -> str:
    """An unlinked temporary card earns on an account of its own, ``card:{card_id}``."""
    return "card" if account_id.startswith("card:") else "household"
