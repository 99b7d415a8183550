"""The live catalogue (open offers and their segments), cached per process.

Every purchase is judged against every live offer, so the catalogue is read from
the database only when its version (moved on by every offer or segment change in
the same transaction) differs from the cached one: one small read per purchase batch.
The "my offers" read shows each held offer as the cache has it, checking the version
at most every ``catalogue_refresh_s`` seconds: a wallet holds only ids and what the
person did, so reading it stays one small indexed read.
"""

import time
from datetime import datetime

from plussa_benefits.domain.wallet import Catalogue
from plussa_benefits.store import BenefitsStore
from plussa_shared.mongo import Session

MISSING_RECHECK_S = 0.1


class CatalogueCache:
    """The catalogue as of the last version seen."""

    def __init__(self, store: BenefitsStore, refresh_s: float) -> None:
        self._store = store
        self._refresh_s = refresh_s
        self._version = -1
        self._checked = 0.0
        self._changes = 0
        self._reflects = 0
        """How many of this process's changes the cached catalogue was read after."""
        self._catalogue = Catalogue((), {})

    async def current(self, now: datetime, s: Session | None, *, fresh: bool = True) -> Catalogue:
        """The offers open at ``now`` and the segments, reloaded when the catalogue changed.

        ``fresh=False`` (the purchase path) checks the version at most every ``refresh_s``
        seconds: a change made in another process applies to purchases within that time;
        one made in this process at once (``changed``)."""
        if not fresh and self._current_here() and time.monotonic() - self._checked <= self._refresh_s:
            return self._catalogue.open_at(now)
        # Marked before the read, so the many requests arriving meanwhile use the cache
        # instead of all checking at once (all but those after a change made here).
        self._checked = time.monotonic()
        changes = self._changes
        # After a change made here, read past the caller's transaction: its snapshot may
        # be older than the change.
        source = s if self._current_here() else None
        version = await self._store.catalogue_version(source)
        if version == self._version:
            catalogue = self._catalogue
        else:
            offers = await self._store.open_offers(now, source)
            segments = await self._store.all_segments(source)
            catalogue = Catalogue(tuple(offers), segments)
        if changes != self._changes:
            # This process changed the catalogue while this read was under way: what was
            # read may be from before the change, so it is answered but not kept as fresh.
            self._checked = 0.0
            return catalogue.open_at(now)
        if version >= self._version:  # never back to an older version (a transaction's older snapshot)
            self._catalogue, self._version, self._reflects = catalogue, version, changes
        self._checked = time.monotonic()
        return catalogue.open_at(now)

    def _current_here(self) -> bool:
        """Whether the cached catalogue was read after every change made in this process."""
        return self._reflects == self._changes

    def changed(self) -> None:
        """This process changed an offer or a segment: check the version next time, and
        let no read that was under way meanwhile keep its answer as fresh."""
        self._changes += 1
        self._checked = 0.0

    async def for_reading(self, now: datetime) -> Catalogue:
        """The catalogue to show offers with: checked for changes at most every ``refresh_s`` seconds."""
        if not self._current_here() or time.monotonic() - self._checked > self._refresh_s:
            return await self.current(now, None)
        return self._catalogue

    async def lacking(self, now: datetime) -> Catalogue | None:
        """A catalogue checked now, for a read that found a held offer missing from the one
        it had (just published in another process, or ended and not yet dropped); None
        when it was checked within ``MISSING_RECHECK_S``, so such reads check it at most
        that often."""
        if time.monotonic() - self._checked > MISSING_RECHECK_S:
            return await self.current(now, None)
        return None
