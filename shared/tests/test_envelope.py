"""The CloudEvents envelope: routing keys, round trips, tolerance of what is new."""

import json
import uuid
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

import pytest
from pydantic import BaseModel, Field, ValidationError

from plussa_shared.events import (
    CloudEvent,
    ConsumedEventData,
    EventData,
    RawEvent,
    envelope_json,
    new_event,
    new_event_ids,
    routing_key_for,
)


class CardBlocked(EventData):
    event_type: ClassVar[str] = "fi.plussa.cards.card.blocked"
    card_id: str
    household_id: str
    reason: str


class CardBlockedCopy(ConsumedEventData):
    card_id: str


class Untyped(EventData):
    value: int


class Share(BaseModel):
    charity_id: str
    cents: int


class Donated(EventData):
    event_type: ClassVar[str] = "fi.plussa.points.money.donated"
    household_id: str
    note: str
    charities: list[Share]
    saved_until: datetime | None
    details: dict[str, Any]
    paid_at: datetime
    kind: str = Field(default="donation", alias="donation_kind")


class BadlyTyped(EventData):
    event_type: ClassVar[str] = "Fi.Plussa.Cards"


def blocked() -> CloudEvent[EventData]:
    return new_event(
        CardBlocked(card_id="c1", household_id="h1", reason="lost"), source="/plussa/cards", subject="card/c1"
    )


def test_the_routing_key_is_the_type_without_the_common_prefix() -> None:
    assert routing_key_for("fi.plussa.cards.card.blocked") == "cards.card.blocked"
    assert blocked().routing_key == "cards.card.blocked"
    assert routing_key_for("com.partner.thing.done") == "com.partner.thing.done"


def test_a_new_event_has_the_cloudevents_attributes() -> None:
    event = blocked()
    wire = json.loads(event.model_dump_json())
    assert wire["specversion"] == "1.0"
    assert wire["type"] == "fi.plussa.cards.card.blocked"
    assert wire["source"] == "/plussa/cards"
    assert wire["subject"] == "card/c1"
    assert wire["datacontenttype"] == "application/json"
    assert wire["data"] == {"card_id": "c1", "household_id": "h1", "reason": "lost"}
    assert event.time.tzinfo is not None
    assert abs(event.time - datetime.now(UTC)) < timedelta(seconds=5)
    assert event.id != blocked().id


def test_an_event_survives_the_trip_to_a_consumer_that_reads_only_what_it_needs() -> None:
    event = blocked()
    raw = RawEvent.model_validate_json(event.model_dump_json())
    copy = CardBlockedCopy.model_validate(raw.data)
    assert (raw.id, raw.type, raw.subject, raw.time) == (event.id, event.type, event.subject, event.time)
    assert copy.card_id == "c1"


def test_unknown_envelope_attributes_and_data_fields_are_tolerated_by_consumers() -> None:
    wire = json.loads(blocked().model_dump_json())
    wire["traceparent"] = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"  # a CloudEvents extension
    wire["data"]["blocked_by"] = "operator"  # a field the publisher added later
    raw = RawEvent.model_validate(wire)
    assert CardBlockedCopy.model_validate(raw.data).card_id == "c1"


def test_a_publisher_cannot_send_fields_its_schema_does_not_declare() -> None:
    with pytest.raises(ValidationError):
        CardBlocked(card_id="c1", household_id="h1", reason="lost", extra="x")  # type: ignore[call-arg]


def test_an_event_type_is_required_to_make_an_event() -> None:
    with pytest.raises(ValueError, match="declares no event_type"):
        new_event(Untyped(value=1), source="/test")


@pytest.mark.parametrize(
    "change",
    [
        {"time": "2026-01-01T10:00:00"},  # no time zone
        {"type": "Fi.Plussa.Cards"},  # not lowercase
        {"specversion": "0.3"},
        {"id": ""},
        {"source": ""},
    ],
)
def test_an_envelope_with_an_invalid_attribute_is_refused(change: dict[str, str]) -> None:
    wire = {**json.loads(blocked().model_dump_json()), **change}
    with pytest.raises(ValidationError):
        RawEvent.model_validate(wire)


def test_times_in_other_zones_keep_their_instant() -> None:
    helsinki = timezone(timedelta(hours=2))
    event = new_event(
        CardBlocked(card_id="c1", household_id="h1", reason="lost"),
        source="/plussa/cards",
        time=datetime(2026, 3, 1, 12, 0, tzinfo=helsinki),
    )
    raw = RawEvent.model_validate_json(event.model_dump_json())
    assert raw.time == datetime(2026, 3, 1, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("data", "subject", "time"),
    [
        (CardBlocked(card_id="c1", household_id="h1", reason="lost"), "card/c1", datetime(2026, 3, 1, tzinfo=UTC)),
        (
            Donated(
                household_id="h1",
                note='Hyväntekeväisyys "ö" \u2603 <&>',
                charities=[Share(charity_id="c1", cents=150), Share(charity_id="c2", cents=5)],
                saved_until=None,
                details={"nested": [1, "two", None], "at": datetime(2026, 3, 1, 8, 30, 15, 123456, tzinfo=UTC)},
                paid_at=datetime(2026, 4, 1, 0, 0, tzinfo=ZoneInfo("Europe/Helsinki")),
            ),
            None,
            datetime(2026, 3, 31, 23, 59, 59, 999999, tzinfo=timezone(timedelta(hours=3))),
        ),
    ],
)
def test_an_envelope_written_straight_from_the_data_is_the_models_own_text(
    data: EventData, subject: str | None, time: datetime
) -> None:
    expected = new_event(data, source="/plussa/points", subject=subject, time=time, event_id="e-1").model_dump_json()
    assert envelope_json(data, event_id="e-1", source="/plussa/points", subject=subject, time=time) == expected


def test_an_envelope_written_straight_from_the_data_keeps_the_envelopes_rules() -> None:
    data = CardBlocked(card_id="c1", household_id="h1", reason="lost")
    at = datetime(2026, 3, 1, tzinfo=UTC)
    with pytest.raises(ValueError, match="time zone"):
        envelope_json(data, event_id="e", source="/s", subject=None, time=datetime(2026, 3, 1))  # noqa: DTZ001
    with pytest.raises(ValueError, match="500"):
        envelope_json(data, event_id="e", source="/s", subject="x" * 501, time=at)
    with pytest.raises(ValueError, match="500"):
        envelope_json(data, event_id="e", source="", subject=None, time=at)
    with pytest.raises(ValueError, match="declares no event_type"):
        envelope_json(Untyped(value=1), event_id="e", source="/s", subject=None, time=at)
    with pytest.raises(ValueError, match="not a valid event type"):
        envelope_json(BadlyTyped(), event_id="e", source="/s", subject=None, time=at)


def test_event_ids_made_together_are_distinct_random_uuids() -> None:
    ids = new_event_ids(1000)
    assert len(set(ids)) == 1000
    for text in ids:
        parsed = uuid.UUID(text)
        assert (str(parsed), parsed.version, parsed.variant) == (text, 4, uuid.RFC_4122)
    assert new_event_ids(0) == []
