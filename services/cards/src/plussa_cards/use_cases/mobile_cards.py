"""Mobile cards: a card number shown by the phone app, on the member's account."""

from plussa_cards.context import CardsContext
from plussa_cards.domain.card import Card, CardKind, require_mobile_card_room
from plussa_cards.use_cases.common import actor, issue_card
from plussa_shared.context import UnitOfWork


async def issue_mobile_card(ctx: CardsContext, person_id: str) -> Card:
    """A member adds a mobile card; it works at once."""
    now = ctx.now()

    async def work(uow: UnitOfWork) -> Card:
        member = await actor(ctx, uow, person_id)
        await ctx.store.lock_member(uow, person_id)  # one such request per person at a time
        cards = await ctx.store.cards_of_person(uow, person_id)
        require_mobile_card_room(cards, ctx.settings.max_mobile_cards_per_person)
        card = issue_card(ctx, CardKind.MOBILE, member.household_id, member.person_id, now)
        await ctx.store.save_card(uow, card)
        return card

    return await ctx.run(work)
