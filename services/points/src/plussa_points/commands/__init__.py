"""Command-line jobs of the points service (Kubernetes CronJobs): ``python -m plussa_points.commands.<job>``."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from plussa_points.context import PointsContext
from plussa_points.settings import PointsSettings
from plussa_points.store import INDEXES
from plussa_shared.consumer import INBOX
from plussa_shared.mongo import create_client, ensure_collections, ensure_indexes
from plussa_shared.outbox import LEASES, OUTBOX, OUTBOX_INDEXES, Outbox


@asynccontextmanager
async def points_context(settings: PointsSettings) -> AsyncIterator[PointsContext]:
    """Connect to the service's database, make sure its collections exist, and yield the context."""
    client = create_client(str(settings.mongo_url), app_name=f"{settings.service_name}-command")
    try:
        db = client[settings.mongo_database]
        indexes = {**OUTBOX_INDEXES, **INDEXES}
        await ensure_collections(db, [OUTBOX, INBOX, LEASES, *indexes])
        await ensure_indexes(db, indexes)
        yield PointsContext(settings=settings, client=client, db=db, outbox=Outbox(db))
    finally:
        await client.close()
