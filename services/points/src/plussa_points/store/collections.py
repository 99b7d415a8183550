"""The points service's collections, their indexes and document keys."""

import hashlib
import re
from collections.abc import Sequence

from pymongo import ASCENDING, DESCENDING, IndexModel

from plussa_shared.privacy import ERASED_HOLDERS

CARDS = "cards"
MEMBERS = "members"
PAYMENT_CARDS = "payment_cards"
ACCOUNTS = "accounts"
PURCHASES = "purchases"
RETURNS = "returns"
GRANTS = "campaign_grants"
LEDGER = "ledger"
HOUSEHOLD_MONTHS = "household_months"
STATEMENTS = "statements"
LOTS = "lots"
SPENDS = "spends"
BALANCE_VIEWS = "balance_views"
REJECTED_PURCHASES = "rejected_purchases"
MONTH_PAGES = "month_pages"
MEMBERS_LIST = "members"
"""The field of a household's balance view listing its active members."""

INDEXES: dict[str, Sequence[IndexModel]] = {
    ERASED_HOLDERS: [],
    CARDS: [IndexModel([("card_number", ASCENDING)], unique=True)],
    MEMBERS: [IndexModel([("household_id", ASCENDING)]), IndexModel([("person_id", ASCENDING)])],
    PAYMENT_CARDS: [IndexModel([("network_token", ASCENDING)])],
    ACCOUNTS: [],
    PURCHASES: [
        IndexModel([("person_id", ASCENDING), ("month", ASCENDING), ("occurred_at", DESCENDING)]),
        IndexModel([("household_id", ASCENDING), ("month", ASCENDING)]),
        IndexModel([("person_id", ASCENDING), ("occurred_at", DESCENDING), ("_id", DESCENDING)]),
        IndexModel([("household_id", ASCENDING), ("occurred_at", DESCENDING), ("_id", DESCENDING)]),
    ],
    RETURNS: [IndexModel([("purchase_id", ASCENDING)])],
    GRANTS: [],
    LEDGER: [
        IndexModel([("household_id", ASCENDING), ("at", DESCENDING)]),
        IndexModel([("person_id", ASCENDING)], sparse=True),
    ],
    HOUSEHOLD_MONTHS: [IndexModel([("household_id", ASCENDING), ("month", ASCENDING)])],
    STATEMENTS: [IndexModel([("household_id", ASCENDING), ("month", ASCENDING)])],
    LOTS: [
        IndexModel([("household_id", ASCENDING), ("paid_at", ASCENDING)]),
        IndexModel(
            [("expires_at", ASCENDING)],
            name="open_by_expiry",
            partialFilterExpression={"remaining_cents": {"$gt": 0}},
        ),
        IndexModel([("saved_until", ASCENDING)], sparse=True),
    ],
    SPENDS: [IndexModel([("household_id", ASCENDING)])],
    BALANCE_VIEWS: [],
    REJECTED_PURCHASES: [IndexModel([("card_number", ASCENDING), ("last_rejected_at", DESCENDING)])],
    MONTH_PAGES: [
        IndexModel([("household_id", ASCENDING)]),
        IndexModel([("person_id", ASCENDING), ("month", ASCENDING)]),
        IndexModel([("expires_at", ASCENDING)], expireAfterSeconds=0),
    ],
}


def member_key(household_id: str, person_id: str) -> str:
    """The id of a membership document."""
    return f"{household_id}:{person_id}"


def month_key(owner_id: str, month: str) -> str:
    """The id of a household's monthly projection (and of its statement)."""
    return f"{owner_id}:{month}"


def person_key(person_id: str) -> str:
    """A person's key inside a household month: the id itself when it is a safe field name."""
    if re.fullmatch(r"[A-Za-z0-9_-]{1,100}", person_id):
        return person_id
    return "x" + hashlib.sha256(person_id.encode()).hexdigest()[:40]
