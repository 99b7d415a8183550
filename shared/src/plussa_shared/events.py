"""The CloudEvents 1.0 envelope every event on the bus travels in."""

import uuid
from datetime import UTC, datetime
from typing import Any, ClassVar, Generic, Literal, TypeVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, SerializeAsAny

EVENT_TYPE_PREFIX = "fi.plussa."


class EventData(BaseModel):
    """Base of every event payload: a small past-tense record.

    A subclass names its CloudEvents type in ``event_type``, for example
    ``fi.plussa.cards.card.blocked``, and who may read it:

    - by default only the platform's services (the internal exchange);
    - ``partner = True``: partner chains too. Such an event is minimised: ids and
      business facts only, never an e-mail address, a name, a date of birth, an
      address, a token or an export payload (the broker copies it to the partner
      exchange through a binding made from this marker);
    - ``recipient = "<service>"``: only that service. It carries a secret meant for
      it (a token, an export) and is published to its private exchange
      ``plussa.private.<service>``, which only that service's broker user may read.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    event_type: ClassVar[str] = ""
    partner: ClassVar[bool] = False
    recipient: ClassVar[str | None] = None


DataT = TypeVar("DataT")


class CloudEvent(BaseModel, Generic[DataT]):
    """A CloudEvents 1.0 envelope in JSON structured mode with a typed ``data``."""

    model_config = ConfigDict(frozen=True)

    specversion: Literal["1.0"] = "1.0"
    id: str = Field(min_length=1, max_length=200)
    source: str = Field(min_length=1, max_length=500)
    type: str = Field(min_length=1, max_length=200, pattern=r"^[a-z0-9_.-]+$")
    time: AwareDatetime
    subject: str | None = Field(default=None, max_length=500)
    datacontenttype: Literal["application/json"] = "application/json"
    data: SerializeAsAny[DataT]

    @property
    def routing_key(self) -> str:
        """The topic routing key: the type without the ``fi.plussa.`` prefix."""
        return routing_key_for(self.type)


RawEvent = CloudEvent[dict[str, Any]]
"""An envelope whose data is not yet read into the consumer's own schema."""


def routing_key_for(event_type: str) -> str:
    """``fi.plussa.cards.card.blocked`` -> ``cards.card.blocked``."""
    return event_type.removeprefix(EVENT_TYPE_PREFIX)


def new_event(
    data: EventData,
    *,
    source: str,
    subject: str | None = None,
    time: datetime | None = None,
    event_id: str | None = None,
) -> CloudEvent[EventData]:
    """Wrap ``data`` in an envelope with a fresh id and the current UTC time."""
    if not data.event_type:
        raise ValueError(f"{type(data).__name__} declares no event_type")
    return CloudEvent[EventData](
        id=event_id or str(uuid.uuid4()),
        source=source,
        type=data.event_type,
        time=time or datetime.now(UTC),
        subject=subject,
        data=data,
    )


class ConsumedEventData(BaseModel):
    """Base of a consumer's own copy of an event schema: it reads what it needs and
    tolerates fields it does not know, so publishers can add fields freely."""

    model_config = ConfigDict(frozen=True, extra="ignore")
