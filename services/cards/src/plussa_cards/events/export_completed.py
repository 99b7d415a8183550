"""`fi.plussa.cards.export.completed`: the cards service's part of a person's data export."""

from typing import Any, ClassVar, Literal

from plussa_shared.events import EventData


class ExportCompleted(EventData):
    """Everything the cards service holds about one person, for their data export."""

    event_type: ClassVar[str] = "fi.plussa.cards.export.completed"
    recipient: ClassVar[str | None] = "identity"
    request_id: str
    person_id: str
    service: Literal["cards"] = "cards"
    data: dict[str, Any]

    @property
    def subject(self) -> str:
        """``person/{person_id}``."""
        return f"person/{self.person_id}"
