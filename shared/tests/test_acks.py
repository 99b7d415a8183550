"""Acks: a channel's settled deliveries acknowledged with one frame where the broker allows."""

import asyncio
import uuid
from dataclasses import dataclass, field
from typing import Any

import aio_pika
from aio_pika.abc import AbstractIncomingMessage

from plussa_shared.acks import Acks


@dataclass
class Channel:
    """Records the acks with ``multiple`` set that are sent on it."""

    sent: list[int] = field(default_factory=list)
    is_closed: bool = False

    async def basic_ack(self, delivery_tag: int, multiple: bool = False) -> None:
        assert multiple
        self.sent.append(delivery_tag)


@dataclass
class Message:
    """A delivery: its tag, its channel, and whether it was acked on its own."""

    channel: Channel
    delivery_tag: int
    acked_alone: bool = False

    async def ack(self) -> None:
        self.acked_alone = True


def deliver(acks: Acks, channel: Channel, tags: range) -> list[Any]:
    messages: list[Any] = [Message(channel, tag) for tag in tags]
    for message in messages:
        acks.delivered(message)
    return messages


async def test_a_batch_whose_earlier_deliveries_are_settled_is_acked_with_one_frame() -> None:
    acks, channel = Acks(), Channel()
    first, second = deliver(acks, channel, range(1, 5)), deliver(acks, channel, range(5, 9))

    await acks.ack(first)
    await acks.ack(second)

    assert channel.sent == [4, 8]
    assert not any(m.acked_alone for m in first + second)
    assert len(acks) == 0


async def test_a_batch_settled_before_an_earlier_delivery_is_acked_at_once_one_by_one() -> None:
    acks, channel = Acks(), Channel()
    first, second = deliver(acks, channel, range(1, 5)), deliver(acks, channel, range(5, 9))

    await acks.ack(second)  # 1-4 are still being handled: none of them may be acked by 5-8
    assert channel.sent == []
    assert all(m.acked_alone for m in second)

    await acks.ack(first)
    assert channel.sent == [4]
    assert not any(m.acked_alone for m in first)
    assert len(acks) == 0


async def test_a_requeued_delivery_does_not_hold_the_later_ones_back() -> None:
    acks, channel = Acks(), Channel()
    [requeued, *rest] = deliver(acks, channel, range(1, 4))

    acks.forget(requeued)
    await acks.ack(rest)

    assert channel.sent == [3]
    assert not requeued.acked_alone


async def test_deliveries_of_a_new_channel_start_afresh_and_an_old_ones_are_acked_alone() -> None:
    acks, old, new = Acks(), Channel(), Channel()
    [stale] = deliver(acks, old, range(1, 2))
    fresh = deliver(acks, new, range(1, 3))

    await acks.ack([stale])
    await acks.ack(fresh)

    assert stale.acked_alone  # fails as the closed channel's ack would, and is redelivered
    assert old.sent == []
    assert new.sent == [2]


async def test_on_the_broker_a_batch_settled_behind_an_earlier_delivery_leaves_in_one_write_and_stays_acked(
    amqp_url: str,
) -> None:
    connection = await aio_pika.connect(amqp_url)
    try:
        channel = await connection.channel()
        await channel.set_qos(prefetch_count=10)
        queue = await channel.declare_queue(f"test.acks.{uuid.uuid4().hex[:8]}", exclusive=True)
        for n in range(8):
            await channel.default_exchange.publish(aio_pika.Message(str(n).encode()), routing_key=queue.name)
        acks, all_in = Acks(), asyncio.Event()
        received: list[AbstractIncomingMessage] = []

        async def on_message(message: AbstractIncomingMessage) -> None:
            acks.delivered(message)
            received.append(message)
            if len(received) == 8:
                all_in.set()

        tag = await queue.consume(on_message)
        await asyncio.wait_for(all_in.wait(), 10)
        raw: Any = received[0].channel
        writes: list[bytes] = []
        put = raw.write_queue.put

        async def noted(item: Any) -> None:
            writes.append(item.payload)
            await put(item)

        raw.write_queue.put = noted

        await acks.ack(received[4:])  # 1-4 still being handled: 5-8 each on its own
        await acks.ack(received[:2])  # 1-2 with one frame; 5-8 were acked already
        raw.write_queue.put = put
        await queue.cancel(tag)
        await channel.close()

        assert len(writes) == 2
        assert writes[0].count(b"\x00\x3c\x00\x50") == 4  # four basic.ack methods (class 60, method 80)
        assert writes[1].count(b"\x00\x3c\x00\x50") == 1
        check = await connection.channel()
        left = await check.declare_queue(queue.name, passive=True)
        assert left.declaration_result.message_count == 2  # only 3 and 4, never acked, are back
    finally:
        await connection.close()
