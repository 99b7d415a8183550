"""What recording a purchase, a return or campaign points decides, before anything is written.

Every id (purchase, return, grant) is recorded once: the same content again is a
duplicate that answers what was recorded; other content under a used id is a conflict.
"""

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from plussa_points.domain.access import Card, require_earning
from plussa_points.domain.earning import Line, ReturnOutcome, Score, mastercard_applies, score
from plussa_points.domain.errors import DuplicateIdConflictError, UnknownCardError
from plussa_points.domain.ledger import Entry, Posting
from plussa_points.domain.rules import ProgrammeRules


class Dumpable(Protocol):
    """A message with a canonical JSON form (a pydantic model)."""

    def model_dump_json(self) -> str: ...


def fingerprint(model: Dumpable) -> str:
    """A digest of the content, to tell a true duplicate from an id reused for something else."""
    return hashlib.sha256(model.model_dump_json().encode()).hexdigest()


@dataclass(frozen=True)
class Recorded:
    """What ingest did with a purchase, return or grant."""

    reference: str
    month: str
    points: int
    duplicate: bool = False


@dataclass(frozen=True)
class Seen:
    """A purchase, return or grant already recorded under an id."""

    fingerprint: str
    month: str
    points: int


def duplicate(reference: str, digest: str, seen: Seen, what: str) -> Recorded:
    """The answer for an id seen before: what was recorded, or a conflict if the content differs."""
    if seen.fingerprint != digest:
        raise DuplicateIdConflictError(f"The {what} id was already used for another {what}")
    return Recorded(reference, seen.month, seen.points, duplicate=True)


@dataclass(frozen=True)
class Earning:
    """What a new purchase earns, and for which account."""

    card: Card
    account_id: str
    mastercard: bool
    scored: Score


def earn(
    rules: ProgrammeRules, card: Card | None, lines: list[Line], paid_with_mastercard: bool, at: datetime
) -> Earning:
    """Score a purchase against its card (which must be known and allowed to earn)."""
    if card is None:
        raise UnknownCardError("No card with this number is known")
    account_id = require_earning(card)
    mastercard = mastercard_applies(rules, paid_with_mastercard, at.astimezone(rules.zone).date())
    return Earning(card, account_id, mastercard, score(rules, lines, mastercard=mastercard))


@dataclass(frozen=True)
class PurchaseLine:
    """A purchase line as the store system sent it."""

    line_id: str
    product_id: str
    name: str
    category: str
    quantity: int
    amount_cents: int


@dataclass(frozen=True)
class NewPurchase:
    """A purchase to record, scored, in the month it counts in."""

    purchase_id: str
    fingerprint: str
    earning: Earning
    store_id: str
    store_name: str
    chain: str
    occurred_at: datetime
    month: str
    total_cents: int
    lines: tuple[PurchaseLine, ...]

    def posting(self) -> Posting:
        """Its ledger entry and what it adds to the household's month."""
        card, scored = self.earning.card, self.earning.scored
        entry = Entry(
            f"purchase:{self.purchase_id}",
            household_id=self.earning.account_id,
            person_id=card.person_id,
            reason="purchase",
            at=self.occurred_at,
            month=self.month,
            points=scored.points,
            reference=self.purchase_id,
            details={"base_points": scored.base_points, "mastercard_points": scored.mastercard_points},
        )
        figures = {
            "base_points": scored.base_points,
            "mastercard_points": scored.mastercard_points,
            "grocery_cents": scored.grocery_cents,
            "purchase_cents": self.total_cents,
            "eligible_cents": scored.eligible_cents,
            "purchases": 1,
        }
        return Posting(entry, spend_cents=self.total_cents, figures=figures)


@dataclass(frozen=True)
class RecordedPurchase:
    """A purchase as recorded, with what of its lines has been returned."""

    purchase_id: str
    household_id: str
    person_id: str | None
    mastercard: bool
    remaining: tuple[Line, ...]


@dataclass(frozen=True)
class NewReturn:
    """A return to record against its purchase, in the month it counts in."""

    return_id: str
    fingerprint: str
    purchase: RecordedPurchase
    occurred_at: datetime
    month: str
    outcome: ReturnOutcome
    returned: Mapping[str, tuple[int, int]]
    """Quantity and cents returned, by line id."""

    def posting(self) -> Posting:
        """Its ledger entry and what it takes off the household's month."""
        purchase, outcome = self.purchase, self.outcome
        entry = Entry(
            f"return:{self.return_id}",
            household_id=purchase.household_id,
            person_id=purchase.person_id,
            reason="return",
            at=self.occurred_at,
            month=self.month,
            points=-outcome.points,
            reference=purchase.purchase_id,
            details={"return_id": self.return_id},
        )
        figures = {
            "reversed_points": outcome.points,
            "grocery_cents": -outcome.grocery_cents,
            "purchase_cents": -outcome.returned_cents,
            "eligible_cents": -outcome.eligible_cents,
        }
        return Posting(entry, spend_cents=-outcome.returned_cents, figures=figures)


@dataclass(frozen=True)
class NewGrant:
    """Campaign points of an offer to credit, in the month they count in."""

    grant_id: str
    fingerprint: str
    household_id: str
    person_id: str
    offer_id: str
    purchase_id: str | None
    points: int
    month: str
    occurred_at: datetime

    def posting(self) -> Posting:
        """Its ledger entry, on a line of its own in the household's month."""
        entry = Entry(
            f"campaign:{self.grant_id}",
            household_id=self.household_id,
            person_id=self.person_id,
            reason="campaign",
            at=self.occurred_at,
            month=self.month,
            points=self.points,
            reference=self.offer_id,
            details={"grant_id": self.grant_id},
        )
        return Posting(entry, spend_cents=0, figures={"campaign_points": self.points})
