"""The cards service's context: settings, store, outbox, clock and card numbers, built once per process."""

import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TypeVar

from pymongo.errors import DuplicateKeyError

from plussa_cards.domain.card_number import RandomBelow, new_card_number
from plussa_cards.domain.errors import AlreadyAMemberError, ConcurrentUpdateError, PaymentCardAlreadyLinkedError
from plussa_cards.settings import CardsSettings
from plussa_cards.store import CardsStore
from plussa_shared.context import ServiceContext, UnitOfWork
from plussa_shared.domain import DomainError, DuplicateError

T = TypeVar("T")


@dataclass
class CardsContext(ServiceContext[CardsSettings]):
    """What every use case of the cards service works with."""

    random_below: RandomBelow = secrets.randbelow
    """Where card numbers' random digits come from (tests make it predictable)."""
    store: CardsStore = field(init=False)

    def __post_init__(self) -> None:
        self.store = CardsStore(self.db)

    def today(self) -> date:
        """Today's date, UTC."""
        return self.now().date()

    def new_card_number(self) -> str:
        """A fresh random card number; the unique index decides whether it is free."""
        s = self.settings
        return new_card_number(s.card_number_prefix, s.card_number_length, self.random_below)

    async def run(self, work: Callable[[UnitOfWork], Awaitable[T]]) -> T:
        """As ``ServiceContext.run``; a unique index that clashed twice becomes the cards rule it guards.

        A drawn card number that was taken runs the work again with a fresh number; a
        person or a payment card that two requests created at once is found by the
        checks of the second run, so a second clash is rare.
        """
        try:
            return await super().run(work)
        except DuplicateError as exc:
            raise _rule_of(exc.__cause__) from exc


def _rule_of(clash: BaseException | None) -> DomainError:
    text = str(clash) if isinstance(clash, DuplicateKeyError) else ""
    if "identity_key" in text or "email_key" in text:
        return AlreadyAMemberError("This person already has a Plussa membership")
    if "network_token" in text:
        return PaymentCardAlreadyLinkedError()
    return ConcurrentUpdateError()
