"""Service messages triggered by other services' events, delivered through the real sink."""

import uuid

from plussa_notifications.domain.messages import MessageStatus

from .conftest import Harness


def card(person_id: str, *, kind: str = "main", state: str = "blocked", number: str = "6000000000001234") -> dict:
    return {
        "card_id": f"card-{uuid.uuid4().hex[:8]}",
        "card_number": number,
        "kind": kind,
        "state": state,
        "household_id": f"hh-{person_id}",
        "person_id": person_id,
        "can_earn": False,
        "can_spend": False,
        "valid_until": None,
        "replaces_card_id": None,
        "version": 2,
    }


async def test_a_blocked_card_sends_one_mail_in_the_persons_language_even_when_the_event_comes_twice(
    harness: Harness,
) -> None:
    await harness.person("p-sv", "sven@example.fi", language="sv", first_name="Sven")
    blocked = {"card": card("p-sv"), "reason": "lost", "occurred_at": "2026-11-30T10:00:00+00:00"}

    event_id = await harness.publish("fi.plussa.cards.card.blocked", blocked)
    await harness.publish("fi.plussa.cards.card.blocked", blocked, event_id=event_id)
    await harness.publish("fi.plussa.cards.card.blocked", blocked, event_id=event_id)

    arrived = await harness.sink.wait_for(1)
    await harness.until(lambda: _all_settled(harness, "p-sv"))
    assert len(harness.sink.files()) == 1
    assert arrived[0]["To"] == "sven@example.fi"
    assert arrived[0]["Subject"] == "Ditt Plussa-kort har spärrats"
    assert "slutar på 1234" in arrived[0].get_body(("plain",)).get_content()
    assert [m.status for m in await harness.messages("p-sv")] == [MessageStatus.SENT]


async def _all_settled(harness: Harness, person_id: str) -> bool:
    found = await harness.messages(person_id)
    return bool(found) and all(m.status != MessageStatus.QUEUED for m in found)
