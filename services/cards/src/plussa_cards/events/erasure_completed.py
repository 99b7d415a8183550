"""`fi.plussa.cards.erasure.completed`: the cards service erased a person's data."""

from datetime import datetime
from typing import ClassVar, Literal

from plussa_shared.events import EventData


class ErasureCompleted(EventData):
    """The person's name, date of birth, e-mail and address are gone and their cards closed."""

    event_type: ClassVar[str] = "fi.plussa.cards.erasure.completed"
    request_id: str
    person_id: str
    service: Literal["cards"] = "cards"
    occurred_at: datetime

    @property
    def subject(self) -> str:
        """``person/{person_id}``."""
        return f"person/{self.person_id}"
