"""Collection names and their indexes."""

from collections.abc import Sequence

from pymongo import ASCENDING, DESCENDING, IndexModel

CHAINS = "chains"
PEOPLE = "people"
HOUSEHOLDS = "households"
PREFERENCES = "preferences"
CONSENTS = "consents"
MESSAGES = "messages"
USED_UNSUBSCRIBE_TOKENS = "used_unsubscribe_tokens"
CAMPAIGNS = "campaigns"
OFFERS = "offers"

INDEXES: dict[str, Sequence[IndexModel]] = {
    CHAINS: [],
    PEOPLE: [],
    HOUSEHOLDS: [],
    # A campaign streams the people who opted in to its chain, in id order.
    PREFERENCES: [IndexModel([("opted_in", ASCENDING), ("_id", ASCENDING)], name="opted_in_by_person")],
    CONSENTS: [IndexModel([("person_id", ASCENDING), ("at", DESCENDING), ("_id", DESCENDING)], name="history")],
    MESSAGES: [
        # One message per triggering event (or campaign) and recipient: a redelivery sends nothing twice.
        IndexModel([("trigger_id", ASCENDING), ("person_id", ASCENDING)], unique=True, name="one_per_trigger"),
        IndexModel(
            [("next_attempt_at", ASCENDING)],
            name="due",
            partialFilterExpression={"status": "queued"},
        ),
        IndexModel([("person_id", ASCENDING), ("created_at", DESCENDING), ("_id", DESCENDING)], name="mine"),
    ],
    USED_UNSUBSCRIBE_TOKENS: [],
    OFFERS: [],
    CAMPAIGNS: [IndexModel([("status", ASCENDING), ("created_at", ASCENDING)], name="open")],
}
