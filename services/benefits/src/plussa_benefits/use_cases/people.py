"""Who holds which card, household roles, language and status: learnt from cards and points events."""

from plussa_benefits.context import BenefitsContext
from plussa_benefits.domain.features import PersonFeatures
from plussa_benefits.events.consumed import CardChanged, MemberAdded, StatusChanged
from plussa_benefits.events.published import OfferTargeted
from plussa_shared.context import UnitOfWork
from plussa_shared.events import CloudEvent
from plussa_shared.privacy import closed_for_erasure


async def card_changed(ctx: BenefitsContext, event: CloudEvent[CardChanged]) -> None:
    """Remember the card's holder (the newest version wins; an erased person's card is not
    remembered again, whoever a version of it names as holder)."""

    card = event.data.card

    async def work(uow: UnitOfWork) -> None:
        if closed_for_erasure(card.state, event.data.reason):
            await ctx.store.forget_card(card.card_id, card.card_number, card.person_id, uow.session)
        elif not await ctx.store.erased_holders.refuses(card.card_id, card.person_id, uow.session):
            await ctx.store.save_card(card.model_dump(), uow.session)

    await ctx.run(work)


async def member_added(ctx: BenefitsContext, event: CloudEvent[MemberAdded]) -> None:
    """A person's household, role and language: features targeting reads."""
    data = event.data

    async def work(uow: UnitOfWork) -> None:
        known = await ctx.store.features_of([data.person_id], uow.session)
        person = known.get(data.person_id) or PersonFeatures(data.person_id)
        person.household_id = data.household_id
        person.role = data.role
        person.language = data.language
        person.status = await ctx.store.household_status(data.household_id, uow.session)
        await ctx.store.save_features([person], uow.session)
        await _retarget(ctx, uow, person)

    await ctx.run(work)


async def _retarget(ctx: BenefitsContext, uow: UnitOfWork, person: PersonFeatures) -> None:
    """Give a new or changed member the live offers of the segments they are in now
    (an offer for everyone, or for Swedish speakers, needs no purchase first)."""
    now = ctx.now()
    catalogue = await ctx.catalogue.current(now, uow.session)
    wallet = (await ctx.store.wallets_of([person.person_id], uow.session))[person.person_id]
    wallet.household_id = person.household_id
    added = wallet.retarget(catalogue, person, now, ctx.zone, ctx.settings.point_value_millicents)
    await ctx.store.save_wallets([wallet], uow.session)
    if added:
        targeted = OfferTargeted(
            offer_ids=added, person_id=person.person_id, household_id=person.household_id, occurred_at=now
        )
        uow.publish(targeted, f"person/{person.person_id}")


async def status_changed(ctx: BenefitsContext, event: CloudEvent[StatusChanged]) -> None:
    """A household's Best Customer status, given to each of its members."""

    async def work(uow: UnitOfWork) -> None:
        await ctx.store.set_household_status(event.data.household_id, event.data.status, uow.session)

    await ctx.run(work)
