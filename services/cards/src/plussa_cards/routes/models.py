"""Request and response pieces several resources share."""

from datetime import UTC, date, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field, StringConstraints

from plussa_cards.domain.card import Card
from plussa_cards.domain.member import PersonDetails
from plussa_cards.events.card_snapshot import CardSnapshot
from plussa_shared.strict import Id, StrictModel, ascii_pattern


def _plausible_birth_date(value: date) -> date:
    if value > datetime.now(UTC).date():
        raise ValueError("a date of birth is not in the future")
    if value.year < 1900:
        raise ValueError("a date of birth is after 1900")
    return value


Name = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100, pattern=r"^[^\x00-\x1f\x7f<>{}]+$")
]
Email = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, max_length=254, pattern=ascii_pattern(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")
    ),
]
BirthDate = Annotated[date, AfterValidator(_plausible_birth_date)]
StoreId = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64, pattern=ascii_pattern(r"^[\w.\-]+$"))
]
CardNumberText = Annotated[str, StringConstraints(max_length=40)]
PersonId = Id


class Strict(StrictModel):
    """A request body: strict types (a date is an ISO string, never a number), unknown fields refused."""


class PersonIn(Strict):
    """A person the main holder or a store adds to a household."""

    first_name: Name
    last_name: Name
    date_of_birth: BirthDate

    def details(self) -> PersonDetails:
        """As the domain takes it."""
        return PersonDetails(first_name=self.first_name, last_name=self.last_name, date_of_birth=self.date_of_birth)


class CardOut(CardSnapshot):
    """A card as its holder sees it: what the card events carry, and its replacement. ``version``
    is its ``ETag``; ``kind`` and ``state`` are the card's kind and where it is in its life."""

    replacement_card_id: str | None = Field(description="The card ordered to replace this one, once ordered.")

    @classmethod
    def of(cls, card: Card, today: date) -> "CardOut":
        """The view of ``card`` today."""
        snapshot = card.snapshot(today)
        return cls(**snapshot.model_dump(), replacement_card_id=card.replacement_card_id)


class ParallelHolderOut(BaseModel):
    """A parallel holder just added, and their card."""

    person_id: str
    household_id: str
    role: Literal["parallel"] = "parallel"
    can_use_money: bool
    card: CardOut
