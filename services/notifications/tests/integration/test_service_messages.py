"""Service messages triggered by other services' events, delivered through the real sink."""

import asyncio
import uuid

from plussa_notifications.domain.messages import Message, MessageKind, MessageStatus
from plussa_shared.context import UnitOfWork
from plussa_shared.testing.bus import bus_probe

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


async def test_an_address_with_letters_beyond_ascii_gets_its_mail(harness: Harness) -> None:
    await harness.person("p-mä", "aino.mäkinen@esimerkki.fi", first_name="Aino")
    blocked = {"card": card("p-mä"), "reason": "lost", "occurred_at": "2026-11-30T10:00:00+00:00"}

    await harness.publish("fi.plussa.cards.card.blocked", blocked)

    [arrived] = await harness.sink.wait_for(1)
    assert "aino.mäkinen@esimerkki.fi" in arrived["To"]
    await harness.until(lambda: _all_settled(harness, "p-mä"))
    assert [m.status for m in await harness.messages("p-mä")] == [MessageStatus.SENT]


async def _all_settled(harness: Harness, person_id: str) -> bool:
    found = await harness.messages(person_id)
    return bool(found) and all(m.status != MessageStatus.QUEUED for m in found)


async def test_an_event_for_a_person_without_a_verified_address_sends_nothing_and_records_why(
    harness: Harness,
) -> None:
    await harness.person("p-unverified", "new@example.fi", verified=False)
    async with bus_probe(*harness.amqp, "notifications.message.#") as probe:
        await harness.publish(
            "fi.plussa.cards.card.blocked",
            {"card": card("p-unverified"), "reason": "lost", "occurred_at": "2026-11-30T10:00:00+00:00"},
        )
        failed = await probe.wait_for("fi.plussa.notifications.message.failed")

    [message] = await harness.messages("p-unverified")
    assert message.status is MessageStatus.FAILED
    assert message.reason == "no-verified-email"
    assert failed[0]["data"]["reason"] == "no-verified-email"
    assert "new@example.fi" not in str(failed[0])
    assert harness.sink.files() == []


async def test_html_in_a_name_is_escaped_in_the_html_part_of_the_mail_that_arrives(harness: Harness) -> None:
    await harness.person("p-main", "main@example.fi", language="en", first_name="<b>Aino</b>")
    await harness.publish(
        "fi.plussa.cards.member.added",
        {
            "household_id": "hh-p-main",
            "person_id": "p-main",
            "role": "main",
            "first_name": "<b>Aino</b>",
            "last_name": "V",
            "date_of_birth": "1980-01-01",
            "email": None,
            "language": "en",
            "can_use_money": True,
            "occurred_at": "2026-11-30T09:00:00+00:00",
        },
    )
    await harness.publish(
        "fi.plussa.cards.member.added",
        {
            "household_id": "hh-p-main",
            "person_id": "p-kid",
            "role": "parallel",
            "first_name": '<script>alert("x")</script>',
            "last_name": "V",
            "date_of_birth": "2010-01-01",
            "email": None,
            "language": "fi",
            "can_use_money": False,
            "occurred_at": "2026-11-30T09:00:00+00:00",
        },
    )
    await harness.until(lambda: _has_main_holder(harness, "hh-p-main"))
    await harness.until(lambda: _known(harness, "p-kid"))
    parallel = {**card("p-kid", kind="parallel", state="ordered"), "household_id": "hh-p-main"}

    await harness.publish("fi.plussa.cards.card.issued", {"card": parallel, "occurred_at": "2026-11-30T10:00:00+00:00"})

    [mail] = await harness.sink.wait_for(1)
    html = mail.get_body(("html",)).get_content()
    text = mail.get_body(("plain",)).get_content()
    assert mail["To"] == "main@example.fi"
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert "&lt;b&gt;Aino&lt;/b&gt;" in html
    assert '<script>alert("x")</script>' in text


async def test_a_verification_mail_goes_to_the_requested_address_with_the_portal_link_and_keeps_no_token(
    harness: Harness,
) -> None:
    await harness.person("p-new", "first@example.fi", language="en", verified=False)

    await harness.publish(
        "fi.plussa.identity.email_verification.requested",
        {
            "person_id": "p-new",
            "email": "first@example.fi",
            "language": "en",
            "token": "tok-123_abc",
            "expires_at": "2026-12-01T09:00:00+00:00",
        },
        private=True,
    )

    [mail] = await harness.sink.wait_for(1)
    await harness.until(lambda: _all_settled(harness, "p-new"))
    assert mail["To"] == "first@example.fi"
    assert mail["Subject"] == "Confirm your e-mail address"
    assert "https://oma.plussa.test/verify-email?token=tok-123_abc" in mail.get_body(("plain",)).get_content()
    [message] = await harness.messages("p-new")
    assert "action_url" not in message.data


async def test_plussa_money_goes_to_the_main_holder_once_the_household_is_known(harness: Harness) -> None:
    await harness.person("p-owner", "owner@example.fi")
    paid = {
        "household_id": "hh-late",
        "lot_id": "lot-1",
        "month": "2026-10",
        "cents": 1250,
        "paid_at": "2026-11-04T00:00:00+00:00",
        "expires_at": "2027-12-04T00:00:00+00:00",
        "saved_until": None,
    }

    await harness.publish("fi.plussa.points.money.paid", paid)
    await asyncio.sleep(0.1)  # not known yet: the event waits in the retry queue
    await harness.publish(
        "fi.plussa.cards.household.created",
        {"household_id": "hh-late", "main_person_id": "p-owner", "occurred_at": "2026-11-30T09:00:00+00:00"},
    )

    [mail] = await harness.sink.wait_for(1, timeout=15)
    assert mail["To"] == "owner@example.fi"
    assert mail["Subject"] == "Plussa-rahaa maksettu: 12,50\xa0€"


async def test_a_permanent_refusal_fails_the_message_with_the_servers_reason(harness: Harness) -> None:
    await harness.person("p-refused", "gone@example.fi")
    harness.sink.refuse_with("550 5.1.1 No such mailbox")
    async with bus_probe(*harness.amqp, "notifications.message.#") as probe:
        await harness.publish(
            "fi.plussa.cards.access.granted",
            {
                "household_id": "hh-p-refused",
                "person_id": "p-refused",
                "can_use_money": True,
                "occurred_at": "2026-11-30T10:00:00+00:00",
            },
        )
        failed = await probe.wait_for("fi.plussa.notifications.message.failed")

    [message] = await harness.messages("p-refused")
    assert message.status is MessageStatus.FAILED
    assert message.reason == "refused: 550 5.1.1 No such mailbox"
    assert message.attempts == 0
    assert failed[0]["data"]["kind"] == "money_access_granted"
    assert harness.sink.files() == []


async def test_a_busy_or_slow_server_makes_the_mail_wait_and_go_later_exactly_once(harness: Harness) -> None:
    await harness.person("p-busy", "busy@example.fi")
    harness.sink.refuse_with("451 4.3.2 Try later", times=2)

    await harness.publish(
        "fi.plussa.points.money.released",
        {"household_id": "hh-p-busy", "cents": 500, "occurred_at": "2026-11-30T10:00:00+00:00"},
    )
    await harness.publish(
        "fi.plussa.cards.household.created",
        {"household_id": "hh-p-busy", "main_person_id": "p-busy", "occurred_at": "2026-11-30T09:00:00+00:00"},
    )
    await harness.sink.wait_for(1, timeout=15)
    harness.sink.stall_for(1.5)  # longer than the client's 1 s timeout
    await harness.publish(
        "fi.plussa.cards.access.withdrawn",
        {
            "household_id": "hh-p-busy",
            "person_id": "p-busy",
            "can_use_money": False,
            "occurred_at": "2026-11-30T10:00:00+00:00",
        },
    )
    await harness.until(lambda: _attempted(harness, "p-busy", "money_access_withdrawn"))
    harness.sink.stall_for(0)

    await harness.sink.wait_for(2, timeout=15)
    await harness.until(lambda: _all_settled(harness, "p-busy"))
    messages = {m.kind.value: m for m in await harness.messages("p-busy")}
    assert messages["savings_released"].attempts == 3
    assert messages["money_access_withdrawn"].attempts >= 2
    assert all(m.status is MessageStatus.SENT for m in messages.values())
    assert len(harness.sink.files()) == 2


async def test_mail_waits_while_the_server_is_down_and_all_of_it_goes_once_it_is_back(harness: Harness) -> None:
    people = [f"p-down-{n}" for n in range(5)]
    for person_id in people:
        await harness.person(person_id, f"{person_id}@example.fi")
    harness.sink.stop()

    for person_id in people:
        await harness.publish(
            "fi.plussa.cards.card.blocked",
            {"card": card(person_id), "reason": "stolen", "occurred_at": "2026-11-30T10:00:00+00:00"},
        )
    await harness.until(lambda: _all_attempted(harness, people))
    waiting = [m.status for p in people for m in await harness.messages(p)]
    assert waiting == [MessageStatus.QUEUED] * 5
    await asyncio.sleep(1.0)
    harness.sink.start()

    arrived = await harness.sink.wait_for(5, timeout=15)
    await asyncio.sleep(1.0)
    assert len(harness.sink.files()) == 5
    assert sorted(str(m["To"]) for m in arrived) == sorted(f"{p}@example.fi" for p in people)
    assert len({m["Message-ID"] for m in arrived}) == 5


async def test_my_messages_list_pages_newest_first_without_addresses(harness: Harness) -> None:
    await harness.person("p-list", "list@example.fi")
    for n in range(3):
        await harness.publish(
            "fi.plussa.cards.card.blocked",
            {"card": card("p-list"), "reason": "lost", "occurred_at": f"2026-11-30T10:0{n}:00+00:00"},
        )
    await harness.sink.wait_for(3)

    first = await harness.client.get("/v1/me/messages?limit=2", headers=harness.customer("p-list"))
    page1 = await first.json()
    second = await harness.client.get(
        f"/v1/me/messages?limit=2&cursor={page1['next_cursor']}", headers=harness.customer("p-list")
    )
    page2 = await second.json()
    other = await harness.client.get("/v1/me/messages", headers=harness.customer("p-someone-else"))

    assert first.status == 200
    assert len(page1["items"]) == 2
    assert len(page2["items"]) == 1
    assert page2["next_cursor"] is None
    assert len({i["message_id"] for i in page1["items"] + page2["items"]}) == 3
    assert page1["items"][0]["subject"] == "Plussa-korttisi on suljettu"
    assert "list@example.fi" not in await first.text()
    assert (await other.json())["items"] == []


async def _has_main_holder(harness: Harness, household_id: str) -> bool:
    return await harness.ctx.store.main_holder(household_id) is not None


async def _known(harness: Harness, person_id: str) -> bool:
    return await harness.ctx.store.person(person_id) is not None


async def _attempted(harness: Harness, person_id: str, kind: str) -> bool:
    return any(m.kind.value == kind and m.attempts >= 1 for m in await harness.messages(person_id))


async def _all_attempted(harness: Harness, people: list[str]) -> bool:
    for person_id in people:
        found = await harness.messages(person_id)
        if not found or found[0].attempts < 1:
            return False
    return True


async def test_a_message_that_cannot_be_written_fails_alone_and_the_others_still_go(harness: Harness) -> None:
    await harness.person("p-broken", "broken@example.fi")
    now = harness.ctx.now()
    broken = Message("m-broken", "p-broken", MessageKind.MONEY_PAID, "t-1", "fi", {}, now, to="broken@example.fi")
    fine = Message("m-fine", "p-broken", MessageKind.MONEY_ACCESS_GRANTED, "t-2", "fi", {}, now, to="broken@example.fi")

    async def work(uow: UnitOfWork) -> None:
        await harness.ctx.store.add_messages(uow, [broken, fine])

    await harness.ctx.run(work)
    harness.ctx.mail_waiting.set()

    [mail] = await harness.sink.wait_for(1)
    await harness.until(lambda: _all_settled(harness, "p-broken"))
    statuses = {m.message_id: (m.status, m.reason) for m in await harness.messages("p-broken")}
    assert statuses["m-broken"] == (MessageStatus.FAILED, "not-rendered: UndefinedError")
    assert statuses["m-fine"] == (MessageStatus.SENT, None)
    assert mail["Message-ID"] == "<m-fine@plussa.fi>"


async def test_a_verification_request_on_the_internal_exchange_is_not_read(harness: Harness) -> None:
    await harness.person("p-leak", "leak@example.fi", verified=False)

    await harness.publish(
        "fi.plussa.identity.email_verification.requested",
        {
            "person_id": "p-leak",
            "email": "leak@example.fi",
            "language": "fi",
            "token": "tok-internal",
            "expires_at": "2026-12-01T09:00:00+00:00",
        },
    )
    await asyncio.sleep(1.5)

    assert await harness.messages("p-leak") == []
    assert harness.sink.files() == []
