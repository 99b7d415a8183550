"""The per-process catalogue cache: a change made in this process is never hidden by a
read that was under way when it was made."""

import asyncio
from datetime import UTC, datetime
from typing import Any, cast

from plussa_benefits.store import BenefitsStore
from plussa_benefits.store.catalogue import MISSING_RECHECK_S, CatalogueCache


class _Versions:
    """Stands in for the store's three catalogue reads; the version read can be held."""

    def __init__(self) -> None:
        self.version = 1
        self.version_reads = 0
        self.sessions: list[Any] = []
        self.gate = asyncio.Event()
        self.gate.set()

    async def catalogue_version(self, s: Any) -> int:
        self.version_reads += 1
        self.sessions.append(s)
        seen = self.version  # what the read's snapshot holds
        await self.gate.wait()
        return seen

    async def open_offers(self, _now: datetime, _s: Any) -> list[Any]:
        return []

    async def all_segments(self, _s: Any) -> dict[str, Any]:
        return {}


NOW = datetime(2026, 11, 30, 12, tzinfo=UTC)


async def test_a_read_under_way_when_this_process_changes_the_catalogue_is_not_kept_as_fresh() -> None:
    store = _Versions()
    cache = CatalogueCache(cast(BenefitsStore, store), refresh_s=60)
    store.gate.clear()
    under_way = asyncio.create_task(cache.current(NOW, None))
    await asyncio.sleep(0)  # the read has seen version 1 and waits
    store.version = 2
    cache.changed()  # an offer published in this process
    store.gate.set()
    await under_way

    await cache.current(NOW, None, fresh=False)  # a purchase right after the change

    assert store.version_reads == 2, "the purchase used the catalogue read before the change"


async def test_without_a_change_the_purchase_path_uses_the_cache_within_the_refresh_time() -> None:
    store = _Versions()
    cache = CatalogueCache(cast(BenefitsStore, store), refresh_s=60)
    await cache.current(NOW, None)
    await cache.current(NOW, None, fresh=False)
    assert store.version_reads == 1


async def test_a_read_missing_a_held_offer_checks_the_catalogue_at_most_every_recheck_time() -> None:
    store = _Versions()
    cache = CatalogueCache(cast(BenefitsStore, store), refresh_s=60)
    await cache.for_reading(NOW)
    await cache.for_reading(NOW)
    assert store.version_reads == 1

    assert await cache.lacking(NOW) is None, "checked again within the recheck time"
    await asyncio.sleep(MISSING_RECHECK_S * 1.5)
    assert await cache.lacking(NOW) is not None
    assert await cache.lacking(NOW) is None
    assert store.version_reads == 2


async def test_a_purchase_right_after_a_change_here_waits_for_no_read_under_way_and_checks_itself() -> None:
    store = _Versions()
    cache = CatalogueCache(cast(BenefitsStore, store), refresh_s=60)
    await cache.current(NOW, None)
    store.version = 2
    cache.changed()  # an offer published in this process
    store.gate.clear()
    reading = asyncio.create_task(cache.for_reading(NOW))  # "my offers" starts checking the version
    await asyncio.sleep(0)
    buying = asyncio.create_task(cache.current(NOW, None, fresh=False))  # a purchase right after
    await asyncio.sleep(0)
    store.gate.set()
    await asyncio.gather(reading, buying)

    assert store.version_reads == 3, "the purchase took the catalogue from before the change"


async def test_after_a_change_here_the_catalogue_is_read_past_the_callers_older_snapshot() -> None:
    store = _Versions()
    cache = CatalogueCache(cast(BenefitsStore, store), refresh_s=0.0)
    await cache.current(NOW, "a purchase's transaction", fresh=False)
    cache.changed()
    await cache.current(NOW, "a purchase's transaction begun before the change", fresh=False)
    await cache.current(NOW, "a later purchase's transaction", fresh=False)

    assert store.sessions == ["a purchase's transaction", None, "a later purchase's transaction"]
