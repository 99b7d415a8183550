"""A month page made by a read: the first read of this month's or last month's
purchases that finds no page for the person (no purchase of theirs in the month yet,
as on the first days of every month, or a page expired or dropped) builds it once the
aggregation has answered, so the person's next reads are one document
(``plussa_points.store.pages``).

The page is a copy of what the purchases hold: a build that fails is logged and the
read keeps its answer. Within a process one build of a page runs at a time; the reads
that meet it meanwhile take the aggregation as before. Two processes building one page
write the same household's balance view, so one of them retries, finds the page and
writes nothing.
"""

import structlog
from pymongo.errors import PyMongoError

from plussa_points.context import PointsContext, UnitOfWork
from plussa_points.domain.calendar import month_of, shift_month

log = structlog.get_logger(__name__)
_building: set[str] = set()


def kept_on_read(ctx: PointsContext, month: str) -> bool:
    """Whether a read of ``month`` builds its missing page: this month and the last."""
    now = month_of(ctx.now(), ctx.rules.zone)
    return month in (now, shift_month(now, -1))


async def build_month_page(ctx: PointsContext, household_id: str, person_id: str, month: str) -> None:
    """Build the person's page of the month if it is still missing and they are an
    active member of the household."""
    key = ctx.store.pages.key(household_id, person_id, month)
    if key in _building:
        return

    async def work(uow: UnitOfWork) -> bool:
        return await ctx.store.pages.build(household_id, person_id, month, uow.session)

    _building.add(key)
    try:
        await ctx.run(work)
    except PyMongoError as exc:
        log.warning("month_page_not_built", month=month, error=type(exc).__name__)
    finally:
        _building.discard(key)
