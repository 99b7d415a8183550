"""What a command-line job (``python -m plussa_<service>.commands.<job>``) needs to call
the service's use cases outside the web process: the same context, built once."""

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from pymongo import AsyncMongoClient, IndexModel

from plussa_shared.context import ServiceContext
from plussa_shared.inbox import INBOX, ensure_inbox_expiry
from plussa_shared.mongo import Database, Document, create_client, ensure_collections, ensure_indexes
from plussa_shared.outbox import LEASES, OUTBOX, OUTBOX_INDEXES, Outbox
from plussa_shared.settings import ServiceSettings

C = TypeVar("C", bound=ServiceContext[Any])


async def prepare_database(
    db: Database, indexes: dict[str, Sequence[IndexModel]], *, inbox_retention_days: int | None = None
) -> None:
    """Create the service's collections (with the outbox, inbox and lease) and indexes;
    handled event ids expire after ``inbox_retention_days`` (the settings' default if None)."""
    everything = {**OUTBOX_INDEXES, **indexes}
    await ensure_collections(db, [OUTBOX, INBOX, LEASES, *everything])
    await ensure_indexes(db, everything)
    days = inbox_retention_days or ServiceSettings.model_fields["inbox_retention_days"].default
    await ensure_inbox_expiry(db, days)


@asynccontextmanager
async def command_context(
    settings: ServiceSettings,
    build: Callable[[AsyncMongoClient[Document], Database, Outbox], C],
    indexes: dict[str, Sequence[IndexModel]],
) -> AsyncIterator[C]:
    """Connect to the service's database, prepare it, and yield the context ``build`` makes.

    Events the job's use cases write wait in the outbox; the service's relay publishes them.
    """
    client = create_client(str(settings.mongo_url), app_name=f"{settings.service_name}-command")
    try:
        db = client[settings.mongo_database]
        await prepare_database(db, indexes, inbox_retention_days=settings.inbox_retention_days)
        yield build(client, db, Outbox(db))
    finally:
        await client.close()
