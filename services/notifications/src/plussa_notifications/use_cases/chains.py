"""The chains and partners people choose from: reference data operators extend."""

from plussa_notifications.context import NotificationsContext
from plussa_notifications.domain.chains import Chain
from plussa_notifications.reference_data import shipped_chains
from plussa_shared.context import UnitOfWork


async def add_chain(ctx: NotificationsContext, chain: Chain) -> Chain:
    """A new chain or partner, available to choose at once; no code change needed."""
    now = ctx.now()

    async def work(uow: UnitOfWork) -> None:
        await ctx.store.add_chain(chain, now, uow.session)

    await ctx.run(work)
    return chain


async def seed_chains(ctx: NotificationsContext) -> None:
    """Load the shipped chains into a database that lacks them."""
    await ctx.store.seed_chains(shipped_chains(), ctx.now())
