"""A person acting on their own offers."""

from plussa_benefits.context import BenefitsContext
from plussa_benefits.domain.errors import OfferNotFoundError
from plussa_benefits.events.published import OfferActivated
from plussa_shared.context import UnitOfWork


async def activate_offer(ctx: BenefitsContext, person_id: str, offer_id: str) -> bool:
    """Activate one of the person's offers; ``False`` when it already was active."""

    async def work(uow: UnitOfWork) -> bool:
        wallets = await ctx.store.wallets_of([person_id], uow.session)
        wallet = wallets[person_id]
        offer = await ctx.store.offer(offer_id, uow.session) if offer_id in wallet.held else None
        if offer_id in wallet.held and offer is None:
            raise OfferNotFoundError("No such offer among your offers")
        now = ctx.now()
        activated = wallet.activate(offer, now)
        if activated:
            await ctx.store.mark_activated(wallet, offer_id, uow.session)
            event = OfferActivated(
                offer_id=offer_id, person_id=person_id, household_id=wallet.household_id, occurred_at=now
            )
            uow.publish(event, f"person/{person_id}")
        return activated

    return await ctx.run(work)
