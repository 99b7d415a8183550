"""A temporary card collects points before it belongs to anyone; when it is linked to
a member, what it collected moves to that member's household.

Until then its purchases count on an account of its own (``card:{card_id}``) that
month end never pays. Linking appends an adjustment entry on both accounts and moves
the open monthly projections; the purchases are re-attributed to the household.
"""

from datetime import datetime

from plussa_points.domain.ledger import Entry

MONTH_FIGURES = (
    "base_points",
    "mastercard_points",
    "reversed_points",
    "campaign_points",
    "grocery_cents",
    "purchase_cents",
    "eligible_cents",
    "purchases",
)


def card_account(card_id: str) -> str:
    """The account an unlinked card earns on."""
    return f"card:{card_id}"


def adjustments(card_id: str, household_id: str, person_id: str | None, points: int, at: datetime) -> list[Entry]:
    """The entries that move ``points`` from the card's account to the household's."""
    source = card_account(card_id)
    return [
        Entry(
            f"adjustment:{source}:{account}",
            household_id=account,
            person_id=person_id if sign > 0 else None,
            reason="adjustment",
            at=at,
            points=sign * points,
            reference=card_id,
            details={"why": "temporary card linked"},
        )
        for account, sign in ((source, -1), (household_id, 1))
    ]
