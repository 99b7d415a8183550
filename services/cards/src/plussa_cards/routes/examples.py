"""Example bodies for the OpenAPI document: what a caller sends and gets back (checked against the schemas)."""

from typing import Any

HOUSEHOLD_ID = "5f0c6a9e2b7d4c1e8a3f9d2b6c4e1a70"
MAIN_ID = "0b9d2f7c4e6a48c1a5d3e7f9b1c2d3e4"
PARALLEL_ID = "7e4a1c9b3d5f47e2b8a6c0d4f2e1b3a5"
CARD_ID = "c1d2e3f4a5b64c7d8e9fa0b1c2d3e4f5"


def card(**overrides: Any) -> dict[str, Any]:
    """A card as its holder sees it."""
    return {
        "card_id": CARD_ID,
        "card_number": "6040121234567897",
        "kind": "main",
        "state": "active",
        "household_id": HOUSEHOLD_ID,
        "person_id": MAIN_ID,
        "can_earn": True,
        "can_spend": True,
        "valid_until": None,
        "replaces_card_id": None,
        "version": 1,
        "replacement_card_id": None,
        **overrides,
    }


PARALLEL_CARD = card(card_id="d4e5f6a7b8c94d0e9f1a2b3c4d5e6f70", kind="parallel", person_id=PARALLEL_ID)
PERSON = {"first_name": "Eero", "last_name": "Virtanen", "date_of_birth": "2004-05-04"}
PARALLEL_HOLDER = {
    "person_id": PARALLEL_ID,
    "household_id": HOUSEHOLD_ID,
    "role": "parallel",
    "can_use_money": False,
    "card": PARALLEL_CARD,
}


def member(**overrides: Any) -> dict[str, Any]:
    """A member as the main holder sees them."""
    return {
        "person_id": MAIN_ID,
        "role": "main",
        "first_name": "Aino",
        "last_name": "Virtanen",
        "can_use_money": True,
        "has_online_account": True,
        "cards": [card()],
        **overrides,
    }


PARALLEL_MEMBER = member(
    person_id=PARALLEL_ID,
    role="parallel",
    first_name="Eero",
    can_use_money=False,
    has_online_account=False,
    cards=[PARALLEL_CARD],
)
