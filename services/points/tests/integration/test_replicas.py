"""Two replicas of the points service (two apps, one set of settings: one queue, one
database) on the real MongoDB and RabbitMQ: a member's events applied by either replica
in any order end as they would in order, and spends through both never overspend."""

import asyncio
import random
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from plussa_points.app import create_app
from plussa_points.keys import POINTS
from plussa_shared.keys import METRICS
from plussa_shared.testing.bus import envelope, publish

Start = Callable[..., Awaitable[Any]]
NOW = datetime(2026, 3, 15, 10, 0, tzinfo=UTC)
MAIN, PARALLEL = "1111222233334444", "5555666677778888"

# One parallel holder's life in cards, oldest first: added without money access,
# granted, withdrawn, granted, removed, added again, granted again.
LIFE: list[tuple[str, dict[str, Any]]] = [
    ("fi.plussa.cards.member.added", {"role": "parallel", "can_use_money": False}),
    ("fi.plussa.cards.access.granted", {"can_use_money": True}),
    ("fi.plussa.cards.access.withdrawn", {"can_use_money": False}),
    ("fi.plussa.cards.access.granted", {"can_use_money": True}),
    ("fi.plussa.cards.member.removed", {}),
    ("fi.plussa.cards.member.added", {"role": "parallel", "can_use_money": False}),
    ("fi.plussa.cards.access.granted", {"can_use_money": True}),
]


async def second_replica(h: Any, aiohttp_client: Any) -> Any:
    """Another app with the same settings as ``h``'s: its own clients, consumer and relay."""
    app = create_app(h.settings, clock=h.clock)
    return await aiohttp_client(app)


def amqp(h: Any) -> tuple[str, str]:
    """The broker and exchange the service consumes from."""
    return h.settings.amqp_url.get_secret_value(), h.settings.amqp_exchange


def consumed(client: Any) -> float:
    """How many events this replica's consumer took from the queue."""
    metric = client.app[METRICS].events_consumed
    return float(sum(s.value for m in metric.collect() for s in m.samples if s.name.endswith("_total")))


def life_of(person_id: str, upto: int = len(LIFE)) -> list[dict[str, Any]]:
    """The events of one member's life, each a second after the one before."""
    events = []
    for i, (event_type, data) in enumerate(LIFE[:upto]):
        event = envelope(event_type, {"household_id": "h1", "person_id": person_id, **data}, subject="household/h1")
        event["time"] = (NOW + timedelta(seconds=i)).isoformat()
        events.append(event)
    return events


async def member_state(h: Any, person_id: str) -> tuple[str, bool, bool] | None:
    doc = await h.db.members.find_one({"_id": f"h1:{person_id}"})
    return (doc["role"], doc["active"], doc["can_use_money"]) if doc else None


async def test_one_members_events_applied_by_two_replicas_in_any_order_end_as_in_order(
    points: Start, aiohttp_client: Any
) -> None:
    h = await points()
    other = await second_replica(h, aiohttp_client)
    await h.member("h1", "p1", "main")
    rng = random.Random(16)
    orders = {"in-order": life_of("p-in-order")}
    orders["reversed"] = life_of("p-reversed")[::-1]
    for n in range(8):
        shuffled = life_of(f"p-shuffled-{n}")
        rng.shuffle(shuffled)
        orders[f"shuffled-{n}"] = shuffled
    orders["removed-last"] = life_of("p-removed-last", upto=5)[::-1]
    interleaved = [event for round_ in zip(*orders.values(), strict=False) for event in round_]
    interleaved += [event for events in orders.values() for event in events[len(LIFE) :]]
    for rest in orders.values():  # zip stops at the shortest: publish what it left
        interleaved += [e for e in rest if e not in interleaved]

    for event in interleaved:
        await publish(*amqp(h), event)

    async def all_handled() -> bool:
        return bool(await h.db.inbox.count_documents({}) == len(interleaved))

    await h.until(all_handled, 30)
    assert consumed(h.client) > 0
    assert consumed(other) > 0  # both replicas took part
    assert await member_state(h, "p-in-order") == ("parallel", True, True)
    for name in orders:
        expected = ("parallel", False, False) if name == "removed-last" else ("parallel", True, True)
        assert await member_state(h, f"p-{name}") == expected, name


async def test_an_older_member_event_arriving_after_a_newer_one_changes_nothing(points: Start) -> None:
    h = await points()
    added, granted, withdrawn, *_ = life_of("p2")

    await publish(*amqp(h), withdrawn)
    await publish(*amqp(h), added)
    await publish(*amqp(h), granted)

    async def all_handled() -> bool:
        return bool(await h.db.inbox.count_documents({}) == 3)

    await h.until(all_handled)
    assert await member_state(h, "p2") == ("parallel", True, False)


async def test_two_replicas_spending_one_households_money_at_once_never_overspend(
    points: Start, aiohttp_client: Any
) -> None:
    h = await points()
    other = await second_replica(h, aiohttp_client)
    await h.household("h1", "p1", MAIN)
    await h.member("h1", "p2", "parallel", can_use_money=True)
    await h.card(PARALLEL, "h1", "p2", kind="parallel")
    await h.lot("h1", "lot-old", 400, NOW - timedelta(days=40), NOW + timedelta(days=350))
    await h.lot("h1", "lot-new", 1000, NOW - timedelta(days=10), NOW + timedelta(days=380))
    creds = h.service("points:spend")
    replicas = [h.client, other]

    answers = await asyncio.gather(
        *(
            replicas[i % 2].post(
                "/v1/till/spends",
                json={"till_transaction_id": f"t{i}", "card_number": MAIN if i % 3 else PARALLEL, "amount_cents": 130},
                headers=creds,
            )
            for i in range(24)
        )
    )

    bodies = [await a.json() for a in answers]
    assert all(a.status == 201 for a in answers), bodies
    assert sum(b["spent_cents"] for b in bodies) == 1400
    assert await h.remaining("h1") == {"lot-old": 0, "lot-new": 0}
    assert other.app[POINTS] is not h.pts  # two contexts, two MongoDB clients, no shared lock
    ledger = await (await h.db.ledger.aggregate([{"$group": {"_id": None, "cents": {"$sum": "$cents"}}}])).to_list()
    assert ledger[0]["cents"] == -1400
    account = await h.account("h1")
    assert account is not None
    assert account["money_cents"] == 0
