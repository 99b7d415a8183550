"""Identity's own view of cards and household members, learnt from the cards events,
and the rule for which card a person may register with."""

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict

from plussa_identity.domain.errors import CardNotEligibleError, CardNotRecognisedError, field_problem

Role = Literal["main", "parallel"]
Language = Literal["fi", "sv", "en"]
REGISTRABLE_KINDS = ("main", "parallel")


class CardView(BaseModel):
    """A card as the latest card event described it."""

    model_config = ConfigDict(frozen=True)

    card_id: str
    card_number: str
    kind: str
    state: str
    household_id: str | None
    person_id: str | None
    version: int


class MemberView(BaseModel):
    """A person as the latest member events described them. The name and date of birth are
    owned by the cards service (given at the card application, changed there); identity
    only projects them, from ``member.added`` and ``member.renamed``."""

    model_config = ConfigDict(frozen=True)

    person_id: str
    household_id: str | None = None
    role: Role | None = None
    first_name: str | None = None
    last_name: str | None = None
    date_of_birth: date | None = None
    email: str | None = None
    language: Language | None = None
    can_use_money: bool = False
    removed: bool = False

    @property
    def is_member(self) -> bool:
        """Whether the person belongs to a household now."""
        return not self.removed and self.household_id is not None and self.role is not None


def member_for_registration(card: CardView | None, member: MemberView | None, date_of_birth: date) -> MemberView:
    """The member a registration with this card and date of birth is for, or the problem.

    An unknown number and a wrong date of birth give the same answer; only someone
    who knows both learns that the card cannot be used (blocked, temporary...)."""
    if card is None or card.person_id is None or member is None or member.date_of_birth != date_of_birth:
        raise CardNotRecognisedError()
    if card.kind not in REGISTRABLE_KINDS:
        raise _not_eligible(f"{card.kind}_card", f"A {card.kind} card cannot be used to register")
    if card.state != "active":
        raise _not_eligible(f"card_{card.state}", f"The card is {card.state}")
    if not member.is_member or card.household_id != member.household_id:
        raise _not_eligible("holder_not_a_member", "The card holder is not a member of a household")
    return member


def _not_eligible(code: str, detail: str) -> CardNotEligibleError:
    return CardNotEligibleError(detail, errors=[field_problem(code, detail, "/card_number")])
