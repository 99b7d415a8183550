"""The only code of the receipts service that touches its collections.

Warranty receipts and the opt-in get their collections, indexes and typed
mappers here as they are built.
"""

from collections.abc import Sequence

from pymongo import IndexModel

from plussa_shared.mongo import Database

INDEXES: dict[str, Sequence[IndexModel]] = {}
"""The receipts service's collections and their indexes, created at start-up."""


class ReceiptsStore:
    """Reads and writes the receipts service's collections inside a use case's transaction."""

    def __init__(self, db: Database) -> None:
        self._db = db
