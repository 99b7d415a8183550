"""The garbage collector of a long-running service process.

A service holds a large, long-lived heap (modules, schemas, clients, caches) and
allocates many short-lived objects per message. With Python's default thresholds the
collector walks that whole heap every few hundred batches of allocations: a consumer
applying purchase batches spent a fifth of its CPU there. What exists once the service
has started is kept out of the walks, and young collections are spaced wider.
"""

import gc

from aiohttp import web

YOUNG_THRESHOLD = 10_000
"""Allocations between collections of the youngest generation (Python's default: 700)."""


def settle_heap() -> None:
    """Keep every object alive now out of future collections, and collect less often."""
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)


async def settle_heap_on_startup(app: web.Application) -> None:
    """``settle_heap`` once the service's resources are open (an ``on_startup`` hook)."""
    settle_heap()
