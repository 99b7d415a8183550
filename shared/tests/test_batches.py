"""How the consumer's batcher gathers events: full batches under a backlog, the linger
otherwise, never more batches in flight than allowed."""

import asyncio
from typing import Any

from plussa_shared.batches import Batcher, Pending


class Settler:
    """Records each batch it is given and holds it until the test lets it go."""

    def __init__(self) -> None:
        self.batches: list[list[str]] = []
        self.release = asyncio.Event()

    async def __call__(self, batch: list[Pending]) -> None:
        self.batches.append([str(p.message) for p in batch])
        await self.release.wait()
        for pending in batch:
            pending.done.set_result(None)


def submit(batcher: Batcher, *names: str) -> list[asyncio.Task[None]]:
    """Submit one message per name: the batcher only carries messages, so a name stands for one."""
    messages: list[Any] = list(names)
    event: Any = None
    return [asyncio.create_task(batcher.submit(message, event)) for message in messages]


async def test_while_the_allowed_batches_are_in_flight_the_next_one_fills_up_past_its_linger() -> None:
    settle = Settler()
    batcher = Batcher(settle, batch_max=4, linger_ms=5, concurrency=1)

    first = submit(batcher, "a")
    await asyncio.sleep(0.05)  # lingered: "a" leaves alone
    rest = submit(batcher, *"bcdefg")
    await asyncio.sleep(0.05)  # far past the linger, but the one slot is taken
    assert settle.batches == [["a"]]

    settle.release.set()
    await asyncio.gather(*first, *rest)
    assert settle.batches == [["a"], ["b", "c", "d", "e"], ["f", "g"]]


async def test_a_full_batch_leaves_at_once_and_a_lone_event_after_the_linger() -> None:
    settle = Settler()
    settle.release.set()
    batcher = Batcher(settle, batch_max=3, linger_ms=50, concurrency=2)

    full = submit(batcher, "a", "b", "c")
    await asyncio.sleep(0.01)
    assert settle.batches == [["a", "b", "c"]]

    lone = submit(batcher, "d")
    await asyncio.sleep(0.01)
    assert settle.batches == [["a", "b", "c"]]  # still lingering
    await asyncio.gather(*full, *lone)
    assert settle.batches == [["a", "b", "c"], ["d"]]


async def test_at_most_the_allowed_batches_are_in_flight_at_once() -> None:
    settle = Settler()
    batcher = Batcher(settle, batch_max=2, linger_ms=1, concurrency=2)

    tasks = submit(batcher, *"abcdefgh")
    await asyncio.sleep(0.05)
    assert settle.batches == [["a", "b"], ["c", "d"]]

    settle.release.set()
    await asyncio.gather(*tasks)
    assert settle.batches == [["a", "b"], ["c", "d"], ["e", "f"], ["g", "h"]]


async def test_draining_sends_what_waits_without_lingering_and_waits_for_every_batch() -> None:
    settle = Settler()
    settle.release.set()
    batcher = Batcher(settle, batch_max=10, linger_ms=60_000, concurrency=1)

    tasks = submit(batcher, "a", "b")
    await asyncio.sleep(0.01)
    await asyncio.wait_for(batcher.drain(), 1)

    assert settle.batches == [["a", "b"]]
    assert all(task.done() for task in tasks)
