"""Events a service already consumes whose publisher does not publish them yet, as
docs/event-contract.md defines them, so that the AsyncAPI document covers every event
the suite publishes or consumes. An entry stops counting as soon as its publisher has a
class for the type (``scripts/asyncapi.py`` then takes the publisher's); remove it then."""

from datetime import datetime
from typing import ClassVar

from plussa_shared.events import EventData


class CampaignPointsGranted(EventData):
    """Campaign points for the points service to credit on the person's household (once per ``grant_id``)."""

    event_type: ClassVar[str] = "fi.plussa.benefits.campaign_points.granted"
    grant_id: str
    household_id: str
    person_id: str
    offer_id: str
    purchase_id: str | None
    points: int
    occurred_at: datetime


AWAITED_EVENTS: tuple[tuple[str, type[EventData]], ...] = (("benefits", CampaignPointsGranted),)
"""(publisher, class) of each awaited event."""
