"""Who may earn, spend and see money: decided from this service's own read model of cards and members."""

from dataclasses import dataclass

from plussa_points.domain.errors import (
    CardCannotEarnError,
    CardCannotSpendError,
    CardNotActiveYetError,
    MainHolderOnlyError,
    NoMoneyAccessError,
    NotAMemberError,
)


@dataclass(frozen=True)
class Card:
    """A card as last announced by the cards service."""

    card_id: str
    kind: str
    state: str
    household_id: str | None
    person_id: str | None
    can_earn: bool
    can_spend: bool


@dataclass(frozen=True)
class Member:
    """A person's membership of a household."""

    household_id: str
    person_id: str
    role: str
    can_use_money: bool
    active: bool = True

    @property
    def is_main(self) -> bool:
        """The household's main holder."""
        return self.role == "main"

    @property
    def sees_money(self) -> bool:
        """The main holder, or a parallel holder the main holder authorised."""
        return self.active and (self.is_main or self.can_use_money)


def require_earning(card: Card) -> str:
    """The account a card's purchases earn for, or why it cannot earn."""
    if not card.can_earn:
        cannot = CardNotActiveYetError if card.state == "ordered" else CardCannotEarnError
        raise cannot(f"The card is {card.state} and cannot earn points", state=card.state)
    return card.household_id or f"card:{card.card_id}"


def require_spending(card: Card, member: Member | None) -> Member:
    """The member spending with ``card``, or why the card cannot spend."""
    if card.kind == "temporary" or not card.can_spend or card.household_id is None:
        raise CardCannotSpendError(f"A {card.kind} card in state {card.state} cannot spend Plussa money")
    if member is None or not member.active or member.household_id != card.household_id:
        raise CardCannotSpendError("The card's holder is not a member of its household")
    if not member.sees_money:
        raise NoMoneyAccessError("The main holder has not given this holder access to the Plussa money")
    return member


def require_member(member: Member | None, household_id: str | None) -> Member:
    """The caller's active membership of the household their token names, else 404."""
    if member is None or not member.active or member.household_id != household_id:
        raise NotAMemberError("No such household for this person")
    return member


def require_money_access(member: Member) -> Member:
    """The member may see and use the household's money."""
    if not member.sees_money:
        raise NoMoneyAccessError("The main holder has not given you access to the Plussa money")
    return member


def require_main(member: Member) -> Member:
    """The member is the household's main holder."""
    if not member.is_main:
        raise MainHolderOnlyError("Only the main holder may do this")
    return member
