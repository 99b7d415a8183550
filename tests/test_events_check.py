"""An event on the bus keeps its contract only when the cloudevents SDK reads it as a
valid CloudEvent and its envelope matches its message in docs/asyncapi.yaml; the bus
recorder fails a test that saw any event breaking it."""

import copy
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from plussa_cards.events.household_created import HouseholdCreated
from plussa_shared.events import new_event
from plussa_shared.outbox import CLOUDEVENTS_JSON
from plussa_shared.settings import ServiceSettings
from plussa_shared.testing.bus import envelope, publish
from plussa_shared.testing.events_check import EventContract, ReceivedMessage

CREATED = "fi.plussa.cards.household.created"
REMOVE = object()


def household_created() -> dict[str, Any]:
    """An envelope exactly as the cards service's outbox writes it."""
    data = HouseholdCreated(household_id="h1", main_person_id="p1", occurred_at=datetime(2026, 3, 1, tzinfo=UTC))
    event = new_event(data, source="/plussa/cards", subject="household/h1")
    parsed: dict[str, Any] = json.loads(event.model_dump_json())
    return parsed


def received(body: dict[str, Any] | bytes, **overrides: Any) -> ReceivedMessage:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    values: dict[str, Any] = {
        "body": raw,
        "content_type": CLOUDEVENTS_JSON,
        "routing_key": "cards.household.created",
        **overrides,
    }
    return ReceivedMessage(**values)


def changed(path: list[str], value: Any) -> dict[str, Any]:
    event = copy.deepcopy(household_created())
    node = event
    for part in path[:-1]:
        node = node[part]
    if value is REMOVE:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return event


def test_an_event_as_a_service_publishes_it_keeps_the_contract(event_contract: EventContract) -> None:
    assert event_contract.problems(received(household_created())) == []
    assert event_contract.problems(received(changed(["subject"], None))) == []  # null means absent in JSON


@pytest.mark.parametrize(
    ("breakage", "message", "expected"),
    [
        ("no id", received(changed(["id"], REMOVE)), "'id' is a required property"),
        ("an empty id", received(changed(["id"], "")), "not a valid CloudEvent"),
        ("an old spec version", received(changed(["specversion"], "0.3")), "not a valid CloudEvent"),
        ("a time that is no time", received(changed(["time"], "yesterday")), "not a valid CloudEvent"),
        ("a body that is not JSON", received(b"not json"), "not a valid CloudEvent"),
        ("a type nobody documented", received(changed(["type"], "fi.plussa.cards.card.painted")), "not a message"),
        ("another service's source", received(changed(["source"], "/plussa/points")), "/source"),
        ("data missing a field", received(changed(["data", "main_person_id"], REMOVE)), "main_person_id"),
        ("data with a number for an id", received(changed(["data", "household_id"], 7)), "/data/household_id"),
        ("data with a field it does not have", received(changed(["data", "email"], "a@b.fi")), "email"),
        ("binary content mode", received(household_created(), content_type="application/json"), "not a valid"),
        ("another routing key", received(household_created(), routing_key="cards.card.issued"), "routing key"),
        ("a message id that is not the event id", received(household_created(), message_id="other"), "message id"),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_an_event_that_breaks_the_contract_is_named_with_what_breaks_it(
    event_contract: EventContract, breakage: str, message: ReceivedMessage, expected: str
) -> None:
    problems = event_contract.problems(message)

    assert any(expected in problem for problem in problems), (breakage, problems)
    with pytest.raises(AssertionError, match="breaks the event contract"):
        event_contract.check(message)


async def test_the_bus_recorder_fails_the_test_that_saw_an_event_breaking_its_contract(
    settings_for: Any, bus_recorder: Any
) -> None:
    settings = settings_for(ServiceSettings, service_name="cards")
    url, exchange = settings.amqp_url.get_secret_value(), settings.amqp_exchange
    good = household_created()
    bad = envelope(CREATED, {"household_id": "h2"})  # no main_person_id, no occurred_at

    recorders = []

    async def a_test_publishing_both() -> None:
        async with bus_recorder(settings) as recorded:
            recorders.append(recorded)
            await publish(url, exchange, good)
            await publish(url, exchange, bad)

    with pytest.raises(AssertionError) as caught:
        await a_test_publishing_both()

    assert recorders[0].types == [CREATED, CREATED]
    assert "1 events break the contract" in str(caught.value)
    assert "'main_person_id' is a required property" in str(caught.value)
    assert "'occurred_at' is a required property" in str(caught.value)
    assert good["id"] not in str(caught.value)


async def test_the_bus_recorder_also_reads_the_private_exchanges(settings_for: Any, bus_recorder: Any) -> None:
    settings = settings_for(ServiceSettings, service_name="cards")
    url = settings.amqp_url.get_secret_value()
    unreadable = envelope("fi.plussa.identity.password_reset.requested", {"person_id": "p1"})

    async def a_test_publishing_it() -> None:
        async with bus_recorder(settings):
            await publish(url, settings.private_exchange("notifications"), unreadable)

    with pytest.raises(AssertionError, match=r"password_reset\.requested on .*\.private\.notifications"):
        await a_test_publishing_it()
