"""The CloudEvents 1.0 envelope every event on the bus travels in."""

import os
import re
import uuid
from datetime import UTC, datetime
from functools import cache
from typing import Any, ClassVar, Generic, Literal, TypeVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, SerializeAsAny
from pydantic_core import to_json

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
_TYPE_PATTERN = r"^[a-z0-9_.-]+$"
_TEXT_MAX = 500


class CloudEvent(BaseModel, Generic[DataT]):
    """A CloudEvents 1.0 envelope in JSON structured mode with a typed ``data``."""

    model_config = ConfigDict(frozen=True)

    specversion: Literal["1.0"] = "1.0"
    id: str = Field(min_length=1, max_length=200)
    source: str = Field(min_length=1, max_length=_TEXT_MAX)
    type: str = Field(min_length=1, max_length=200, pattern=_TYPE_PATTERN)
    time: AwareDatetime
    subject: str | None = Field(default=None, max_length=_TEXT_MAX)
    datacontenttype: Literal["application/json"] = "application/json"
    data: SerializeAsAny[DataT]

    @property
    def routing_key(self) -> str:
        """The topic routing key: the type without the ``fi.plussa.`` prefix."""
        return routing_key_for(self.type)


RawEvent = CloudEvent[dict[str, Any]]
"""An envelope whose data is not yet read into the consumer's own schema."""

# Parametrised once: a subscript per event costs a third of building the envelope.
_ENVELOPE = CloudEvent[EventData]


def routing_key_for(event_type: str) -> str:
    """``fi.plussa.cards.card.blocked`` -> ``cards.card.blocked``."""
    return event_type.removeprefix(EVENT_TYPE_PREFIX)


def new_event_ids(count: int) -> list[str]:
    """``count`` fresh event ids: random (version 4) UUIDs as text, as ``str(uuid.uuid4())``
    makes them, but from one read of the system's random source for all of them."""
    raw = bytearray(os.urandom(16 * count))
    ids = []
    for start in range(0, 16 * count, 16):
        raw[start + 6] = raw[start + 6] & 0x0F | 0x40  # version 4
        raw[start + 8] = raw[start + 8] & 0x3F | 0x80  # the RFC 4122 variant
        h = raw[start : start + 16].hex()
        ids.append(f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}")
    return ids


def envelope_json(data: EventData, *, event_id: str, source: str, subject: str | None, time: datetime) -> str:
    """The envelope of ``data`` as JSON, the same text as ``new_event(...).model_dump_json()``
    gives, without building the envelope model: the outbox's way for many events at once.
    The envelope's rules are checked all the same (``ValueError`` when one is broken)."""
    event_type = checked_event_type(type(data))
    if time.tzinfo is None or time.utcoffset() is None:
        raise ValueError(f"{event_type}: the event time needs a time zone")
    if not 0 < len(source) <= _TEXT_MAX or (subject is not None and len(subject) > _TEXT_MAX):
        raise ValueError(f"{event_type}: source or subject longer than {_TEXT_MAX} characters, or no source")
    envelope = {
        "specversion": "1.0",
        "id": event_id,
        "source": source,
        "type": event_type,
        "time": time,
        "subject": subject,
        "datacontenttype": "application/json",
        "data": data,  # written by its own class's serializer, as SerializeAsAny does
    }
    return to_json(envelope, by_alias=False).decode()


@cache
def checked_event_type(kind: type[EventData]) -> str:
    """The CloudEvents type ``kind`` declares, checked once per class."""
    if not kind.event_type:
        raise ValueError(f"{kind.__name__} declares no event_type")
    if len(kind.event_type) > 200 or not re.fullmatch(_TYPE_PATTERN, kind.event_type):
        raise ValueError(f"{kind.__name__}: {kind.event_type!r} is not a valid event type")
    return kind.event_type


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
    return _ENVELOPE(
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
