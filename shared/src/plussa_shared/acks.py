"""Acknowledging a channel's settled deliveries with as few frames as the broker allows.

The broker numbers deliveries on a channel in order (delivery tags). Once every delivery
up to some tag is settled, one ``basic.ack`` with ``multiple`` set acknowledges them
all: a batch of 64 purchases is acked with one frame instead of 64. A settled delivery
behind one still being handled is acked on its own at once, never held back (held back,
it would keep its prefetch slot); the acks a batch settles at once (the ``multiple`` one
and those on their own) leave in one write to the socket, as aiormq writes a publish's
frames, instead of one write and one wait for the socket each. A delivery settled
otherwise (requeued) is forgotten.
"""

from collections.abc import Sequence

import aiormq
from aio_pika.abc import AbstractIncomingMessage
from aiormq.abc import AbstractChannel, ChannelFrame
from aiormq.exceptions import ChannelInvalidStateError
from pamqp.commands import Basic


class Acks:
    """The deliveries of the channel being consumed that are not acknowledged yet."""

    def __init__(self) -> None:
        self._channel: AbstractChannel | None = None
        self._open: dict[int, bool] = {}
        """Delivery tag -> settled, in delivery order."""

    def delivered(self, message: AbstractIncomingMessage) -> None:
        """Note a message as it arrives (a new channel's deliveries start afresh)."""
        channel = _channel_of(message)
        if channel is None or message.delivery_tag is None:
            return
        if channel is not self._channel:
            self._channel, self._open = channel, {}
        self._open[message.delivery_tag] = False

    def forget(self, message: AbstractIncomingMessage) -> None:
        """The message was settled without an ack (requeued)."""
        if message.delivery_tag is not None and _channel_of(message) is self._channel:
            self._open.pop(message.delivery_tag, None)

    def __len__(self) -> int:
        return len(self._open)

    async def ack(self, messages: Sequence[AbstractIncomingMessage]) -> None:
        """Acknowledge ``messages``, whose effects have committed."""
        channel = self._channel
        tracked: list[AbstractIncomingMessage] = []
        alone: list[AbstractIncomingMessage] = []
        for message in messages:
            (tracked if self._settle(message) else alone).append(message)
        # Everything below is decided before the first await: other tasks settle meanwhile.
        upto = None
        for tag, settled in self._open.items():
            if not settled:
                break
            upto = tag
        if upto is not None:
            for tag in [t for t in self._open if t <= upto]:
                del self._open[tag]
        behind = [m for m in tracked if self._open.get(m.delivery_tag or 0)]
        for message in behind:
            del self._open[message.delivery_tag or 0]
        if channel is not None and (upto is not None or behind):
            await _send(channel, upto, behind)
        for message in alone:
            await message.ack()

    def _settle(self, message: AbstractIncomingMessage) -> bool:
        """Mark a tracked message settled; False for one not tracked (of a closed channel)."""
        tag = message.delivery_tag
        if tag is None or _channel_of(message) is not self._channel or tag not in self._open:
            return False
        self._open[tag] = True
        return True


def _channel_of(message: AbstractIncomingMessage) -> AbstractChannel | None:
    try:
        return message.channel
    except Exception:  # closed: its deliveries will come again on a new channel
        return None


async def _send(channel: AbstractChannel, upto: int | None, behind: list[AbstractIncomingMessage]) -> None:
    """Ack every delivery up to ``upto`` (if any) and each of ``behind`` on its own."""
    frames = [Basic.Ack(delivery_tag=upto, multiple=True)] if upto is not None else []
    frames += [Basic.Ack(delivery_tag=message.delivery_tag or 0) for message in behind]
    if len(frames) == 1 or not isinstance(channel, aiormq.Channel):
        if upto is not None:
            await channel.basic_ack(upto, multiple=True)
        for message in behind:
            await message.ack()
        return
    if channel.is_closed:
        raise ChannelInvalidStateError(f"{channel!r} closed")
    # What ``basic_ack`` queues for one frame, for all of them: the connection's writer
    # writes one queued item with one call, and the drain future fails if the channel closes.
    written = channel.create_future()
    await channel.write_queue.put(ChannelFrame.marshall(channel.number, frames, drain_future=written))
    await written
