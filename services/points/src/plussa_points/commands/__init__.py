"""Command-line jobs of the points service (Kubernetes CronJobs): ``python -m plussa_points.commands.<job>``."""

from contextlib import AbstractAsyncContextManager

from plussa_points.context import PointsContext
from plussa_points.settings import PointsSettings
from plussa_points.store import INDEXES
from plussa_shared.commands import command_context


def points_context(settings: PointsSettings) -> AbstractAsyncContextManager[PointsContext]:
    """The service's context for a job: its database prepared, closed afterwards."""
    return command_context(
        settings,
        lambda client, db, outbox: PointsContext(settings=settings, client=client, db=db, outbox=outbox),
        INDEXES,
    )
