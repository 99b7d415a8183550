"""The portal's read model of each household, built for households that have none yet."""

from plussa_cards.context import CardsContext
from plussa_shared.context import UnitOfWork

BATCH = 500


async def build_household_views(ctx: CardsContext) -> int:
    """Rebuild every household's read model, each in its own transaction (so a write to the
    household at the same time meets it as a write conflict and one of the two runs again);
    how many were built. Writes keep the documents current afterwards; running it again
    changes nothing."""
    built = 0
    after: str | None = None
    while ids := await ctx.store.household_ids(after, BATCH):
        for household_id in ids:

            async def work(uow: UnitOfWork, household_id: str = household_id) -> None:
                await ctx.store.rebuild_household_view(uow, household_id)

            await ctx.run(work)
        built += len(ids)
        after = ids[-1]
    return built
