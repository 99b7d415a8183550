"""What a command-line job (``python -m plussa_<service>.commands.<job>``) needs to call
the service's use cases outside the web process: the same context, built once."""

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from typing import TypeVar

from pymongo import AsyncMongoClient, IndexModel

from plussa_shared.consumer import INBOX
from plussa_shared.context import ServiceContext
from plussa_shared.mongo import Database, Document, create_client, ensure_collections, ensure_indexes
from plussa_shared.outbox import LEASES, OUTBOX, OUTBOX_INDEXES, Outbox
from plussa_shared.settings import ServiceSettings

C = TypeVar("C", bound=ServiceContext[ServiceSettings])


async def prepare_database(db: Database, indexes: dict[str, Sequence[IndexModel]]) -> None:
    """Create the service's collections (with the outbox, inbox and lease) and indexes."""
    everything = {**OUTBOX_INDEXES, **indexes}
    await ensure_collections(db, [OUTBOX, INBOX, LEASES, *everything])
    await ensure_indexes(db, everything)


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
        await prepare_database(db, indexes)
        yield build(client, db, Outbox(db))
    finally:
        await client.close()
