"""The only code of the notifications service that touches its collections.

Contact preferences, consents, messages and deliveries get their collections, indexes and typed
mappers here as they are built.
"""

from collections.abc import Sequence

from pymongo import IndexModel

from plussa_shared.mongo import Database

INDEXES: dict[str, Sequence[IndexModel]] = {}
"""The notifications service's collections and their indexes, created at start-up."""


class NotificationsStore:
    """Reads and writes the notifications service's collections inside a use case's transaction."""

    def __init__(self, db: Database) -> None:
        self._db = db
