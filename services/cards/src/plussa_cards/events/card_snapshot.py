"""The whole card as it is after a change; every card event carries one."""

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict

CardKindName = Literal["main", "parallel", "temporary", "mobile"]
CardStateName = Literal["ordered", "active", "blocked", "replaced", "closed", "expired"]


class CardSnapshot(BaseModel):
    """A card as consumers need it: ``version`` grows by one on every change of the card."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    card_id: str
    card_number: str
    kind: CardKindName
    state: CardStateName
    household_id: str | None
    person_id: str | None
    can_earn: bool
    can_spend: bool
    valid_until: date | None
    replaces_card_id: str | None
    version: int
