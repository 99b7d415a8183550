"""The CloudEvents envelope: routing keys, round trips, tolerance of what is new."""

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import ClassVar

import pytest
from pydantic import ValidationError

from plussa_shared.events import CloudEvent, ConsumedEventData, EventData, RawEvent, new_event, routing_key_for


class CardBlocked(EventData):
    event_type: ClassVar[str] = "fi.plussa.cards.card.blocked"
    card_id: str
    household_id: str
    reason: str


class CardBlockedCopy(ConsumedEventData):
    card_id: str


class Untyped(EventData):
    value: int


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
