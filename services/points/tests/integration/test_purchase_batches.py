"""Purchases applied several to a transaction: the same outcome as one by one (real MongoDB and RabbitMQ)."""

import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import aio_pika

from plussa_points.domain.ingest import Recorded
from plussa_points.events.consumed import PurchaseCompleted
from plussa_points.use_cases import ingest
from plussa_shared.outbox import MORE
from plussa_shared.testing.broker_users import harness_url
from plussa_shared.testing.bus import BusProbe, bus_probe, drain, envelope

Start = Callable[..., Awaitable[Any]]
Harness = Any

PURCHASE = "fi.plussa.stores.purchase.completed"
RECORDED = "fi.plussa.points.purchase.recorded"
EARNED = "fi.plussa.points.points.earned"


async def scene(h: Harness, side: str, digit: str) -> list[PurchaseCompleted]:
    """Two households (one with a closed March and a MasterCard, one with a parallel
    card) and their purchases, named after ``side``; one purchase is repeated."""
    main, parallel, other = digit * 15 + "5", digit * 15 + "6", digit * 15 + "7"
    await h.household(f"{side}-h1", f"{side}-p1", main)
    await h.member(f"{side}-h1", f"{side}-p2", "parallel")
    await h.card(parallel, f"{side}-h1", f"{side}-p2", kind="parallel")
    await h.household(f"{side}-h2", f"{side}-p3", other)
    await h.mastercard(f"{side}-tok", f"{side}-h2", f"{side}-p3")
    await h.db.accounts.update_one({"_id": f"{side}-h2"}, {"$set": {"last_closed_month": "2026-03"}}, upsert=True)
    march = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
    payloads = [
        h.purchase_data(main, [("grocery", 2599), ("alcohol", 1500)], purchase_id=f"{side}-buy1", at=march),
        h.purchase_data(parallel, [("home", 1099)], purchase_id=f"{side}-buy2", at=march),
        h.purchase_data(other, [("grocery", 4000)], purchase_id=f"{side}-buy3", at=march, token=f"{side}-tok"),
        h.purchase_data(main, [("tobacco", 900), ("grocery", 120)], purchase_id=f"{side}-buy4", at=march),
    ]
    payloads.append(payloads[1])  # the same purchase sent again
    return [PurchaseCompleted.model_validate(p) for p in payloads]


async def snapshot(h: Harness, probe: BusProbe, side: str, digit: str) -> str:
    """Everything the purchases left behind for ``side``, with its names made neutral."""
    db = h.db
    found: dict[str, Any] = {}
    for name in ["accounts", "household_months", "purchases", "ledger"]:
        docs = (
            await db[name]
            .find({"_id": {"$regex": f"(^|:){side}-"}}, {"recorded_at": 0, "fingerprint": 0})
            .sort("_id")
            .to_list()
        )
        found[name] = docs
    # What was published, in the order published (a sent outbox record keeps no envelope).
    await h.until(lambda: _all_sent(db))
    written = sum([1 + len(doc.get(MORE, [])) async for doc in db["outbox"].find({}, {MORE: 1})])
    await h.until(lambda: _at_least(probe, written))
    found["events"] = [(e["type"], e["subject"], e["data"]) for e in probe.events if f"{side}-h" in e["subject"]]
    return json.dumps(found, default=str, sort_keys=True).replace(f"{side}-", "").replace(digit * 15, "N")


async def _at_least(probe: BusProbe, count: int) -> bool:
    return len(probe.events) >= count


async def _all_sent(db: Any) -> bool:
    return await db["outbox"].count_documents({"sent_at": None}) == 0


async def test_purchases_recorded_together_leave_exactly_what_recording_them_one_by_one_leaves(points: Start) -> None:
    h = await points()
    async with bus_probe(*h.amqp, "points.#") as probe:
        together = await scene(h, "a", "1")
        alone = await scene(h, "b", "2")

        recorded_together = await ingest.record_purchases(h.pts, together)
        recorded_alone = [await ingest.record_purchase(h.pts, data) for data in alone]
        snapshots = (await snapshot(h, probe, "a", "1"), await snapshot(h, probe, "b", "2"))

    def neutral(recorded: list[Recorded]) -> list[tuple[str, str, int, bool]]:
        return [(r.reference[2:], r.month, r.points, r.duplicate) for r in recorded]

    assert neutral(recorded_together) == neutral(recorded_alone)
    assert [r.duplicate for r in recorded_together] == [False, False, False, False, True]
    assert recorded_together[2].month == "2026-04"  # March was closed for that household
    assert snapshots[0] == snapshots[1]
    assert "points.purchase.recorded" in snapshots[0]
    assert await h.db.purchases.count_documents({"_id": {"$regex": "^a-"}}) == 4


async def test_purchases_arriving_together_are_applied_in_one_transaction_and_a_bad_one_is_retried_alone(
    points: Start,
) -> None:
    h = await points(purchase_batch_max=5, purchase_batch_linger_ms=300)
    # Purchases wait their turn by card (one card's purchases never share a batch with
    # another batch in flight), so the household's five people each buy with their own card.
    cards = [f"111122223333444{i}" for i in range(5)]
    await h.household("h1", "p0", cards[0])
    for i in range(1, 5):
        await h.member("h1", f"p{i}", "parallel")
        await h.card(cards[i], "h1", f"p{i}", kind="parallel")
    await h.until(lambda: h.client.get("/health/ready"))
    good = [h.purchase_data(cards[i], [("grocery", 1000)], purchase_id=f"buy-{i}") for i in range(4)]
    unknown = h.purchase_data("9999888877776666", [("grocery", 4200)], purchase_id="buy-unknown")

    await publish_all(h, [*good[:2], unknown, *good[2:]])
    [dead] = await drain(h.settings.amqp_url.get_secret_value(), f"{h.settings.amqp_queue_prefix}points.events.dead")
    await publish_all(h, [h.purchase_data(cards[i], [("grocery", 500)], purchase_id=f"more-{i}") for i in range(5)])

    async def all_more_recorded() -> bool:
        return await h.db.purchases.count_documents({"_id": {"$regex": "^more-"}}) == 5

    await h.until(all_more_recorded)

    assert (dead.headers or {})["x-plussa-dead-reason"] == "unknown-card"
    assert "unknown-card" in str((dead.headers or {})["x-plussa-dead-detail"])
    assert await h.db.ledger.count_documents({"reason": "purchase"}) == 9
    account = await h.account("h1")
    assert account is not None
    assert account["points"] == 4 * 10 + 5 * 5
    # The five purchases without a bad one among them shared one transaction.
    inbox = await h.db["inbox"].find({"type": PURCHASE}).to_list()
    handled_at = {d["handled_at"] for d in inbox}
    assert len(inbox) == 9
    assert len(handled_at) == 4 + 1


async def publish_all(h: Harness, purchases: list[dict[str, Any]]) -> None:
    """Publish purchases back to back on one channel, as a busy store system would."""
    connection = await aio_pika.connect(harness_url(h.settings.amqp_url.get_secret_value()))
    try:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.declare_exchange(h.settings.amqp_exchange, aio_pika.ExchangeType.TOPIC, durable=True)
        for data in purchases:
            event = envelope(PURCHASE, data, subject=f"purchase/{data['purchase_id']}")
            await exchange.publish(
                aio_pika.Message(json.dumps(event).encode(), message_id=str(event["id"])),
                routing_key="stores.purchase.completed",
            )
    finally:
        await connection.close()


async def test_a_purchases_two_events_are_one_outbox_record_and_reach_the_bus_as_two_messages_in_order(
    points: Start,
) -> None:
    h = await points()
    batch = await scene(h, "c", "3")
    async with bus_probe(*h.amqp, "points.#") as probe:
        await ingest.record_purchases(h.pts, batch)
        await h.until(lambda: _all_sent(h.db))
        await h.until(lambda: _at_least(probe, 8))

    records = await h.db.outbox.find({}).sort([("created_at", 1), ("order", 1)]).to_list()
    runs = [[event["_id"] for event in (record, *record.get(MORE, []))] for record in records]
    subject = {e["id"]: e["subject"] for e in probe.events}
    assert [e["id"] for e in probe.events] == [event_id for run in runs for event_id in run]
    assert [e["type"] for e in probe.events] == [RECORDED, EARNED] * 4  # four purchases, one of them sent twice
    assert len(runs) < 8
    assert all(len({subject[event_id] for event_id in run}) == 1 for run in runs)  # a run is about one household
