"""`fi.plussa.cards.erasure.refused`: the cards service did not erase a person, and why."""

from datetime import datetime
from typing import ClassVar, Literal

from plussa_shared.events import EventData


class ErasureRefused(EventData):
    """Nothing was erased: erasing the person would leave a household without a manager.

    ``reason`` is a stable slug: ``hand-over-first`` (a main holder with parallel holders;
    hand the household over, or ask again with ``close_household``).
    """

    event_type: ClassVar[str] = "fi.plussa.cards.erasure.refused"
    request_id: str
    person_id: str
    service: Literal["cards"] = "cards"
    reason: Literal["hand-over-first"]
    occurred_at: datetime

    @property
    def subject(self) -> str:
        """``person/{person_id}``."""
        return f"person/{self.person_id}"
