"""Money on the wire: an integer amount of minor units (cents) and its ISO 4217 currency.

Integer minor units keep sums exact; the currency travels with every amount so a BFF never
assumes it. Use ``Money`` for new fields; fields named ``*_cents`` predate it.
"""

import functools
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

CurrencyCode = Annotated[str, Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 alphabetic code", examples=["EUR"])]


class Money(BaseModel):
    """An amount of money."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    amount: int = Field(description="In minor units of the currency (cents for EUR); negative for a debit")
    currency: CurrencyCode

    @classmethod
    def eur(cls, cents: int) -> "Money":
        """``cents`` euro cents."""
        return _eur(cents) if cls is Money else cls(amount=cents, currency="EUR")


@functools.lru_cache(maxsize=4096, typed=True)
def _eur(cents: int) -> Money:
    """Money is immutable and the amounts an answer holds repeat (zero above all), so
    each is validated once while it is in use."""
    return Money(amount=cents, currency="EUR")
