"""The live catalogue (open offers and their segments), cached per process.

Every purchase is judged against every live offer, so the catalogue is read from
the database only when its version (moved on by every offer or segment change in
the same transaction) differs from the cached one: one small read per purchase batch.
"""

from datetime import datetime

from plussa_benefits.domain.wallet import Catalogue
from plussa_benefits.store import BenefitsStore
from plussa_shared.mongo import Session


class CatalogueCache:
    """The catalogue as of the last version seen."""

    def __init__(self, store: BenefitsStore) -> None:
        self._store = store
        self._version = -1
        self._catalogue = Catalogue((), {})

    async def current(self, now: datetime, s: Session | None) -> Catalogue:
        """The open offers and segments, reloaded when the catalogue changed."""
        version = await self._store.catalogue_version(s)
        if version != self._version:
            offers = await self._store.open_offers(now, s)
            segments = await self._store.all_segments(s)
            self._catalogue = Catalogue(tuple(offers), segments)
            self._version = version
        return self._catalogue
