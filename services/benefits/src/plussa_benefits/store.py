"""The only code of the benefits service that touches its collections.

Offers, activations and sponsorships get their collections, indexes and typed
mappers here as they are built.
"""

from collections.abc import Sequence

from pymongo import IndexModel

from plussa_shared.mongo import Database

INDEXES: dict[str, Sequence[IndexModel]] = {}
"""The benefits service's collections and their indexes, created at start-up."""


class BenefitsStore:
    """Reads and writes the benefits service's collections inside a use case's transaction."""

    def __init__(self, db: Database) -> None:
        self._db = db
