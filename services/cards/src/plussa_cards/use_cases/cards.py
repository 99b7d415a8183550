"""One card's life as its holder drives it: blocking a lost card, replacing a lost or damaged
one, activating the card that arrived."""

import structlog

from plussa_cards.context import CardsContext
from plussa_cards.domain.card import BlockReason, Card
from plussa_cards.domain.replacement import ReplacementReason, activate, order_replacement
from plussa_cards.use_cases.common import card_for, new_id, require_card_version
from plussa_shared.context import UnitOfWork

log = structlog.get_logger(__name__)


async def block_card(
    ctx: CardsContext, person_id: str, card_id: str, reason: BlockReason, expected_version: int | None = None
) -> Card:
    """The holder, or their main holder, blocks a card at once."""
    now = ctx.now()

    async def work(uow: UnitOfWork) -> Card:
        card = await card_for(ctx, uow, person_id, card_id)
        require_card_version(card, expected_version)
        loaded = card.version
        card.block(reason, now)
        await ctx.store.save_card(uow, card, loaded)
        return card

    card = await ctx.run(work)
    log.info("card_blocked", card_id=card.card_id, reason=reason.value)
    return card


async def order_card_replacement(
    ctx: CardsContext,
    person_id: str,
    card_id: str,
    reason: ReplacementReason,
    expected_version: int | None = None,
) -> Card:
    """Order a new card with a new number on the same account; the new card is activated on arrival.
    ``expected_version`` is the version of the card being replaced."""
    now = ctx.now()

    async def work(uow: UnitOfWork) -> Card:
        card = await card_for(ctx, uow, person_id, card_id)
        require_card_version(card, expected_version)
        loaded = card.version
        successor = order_replacement(
            card,
            reason,
            new_card_id=new_id(),
            new_card_number=ctx.new_card_number(),
            now=now,
            damaged_stays_usable=ctx.settings.damaged_card_stays_usable,
        )
        await ctx.store.save_card(uow, card, loaded)
        await ctx.store.save_card(uow, successor)
        return successor

    successor = await ctx.run(work)
    log.info("replacement_ordered", card_id=card_id, new_card_id=successor.card_id, reason=reason.value)
    return successor


async def activate_card(ctx: CardsContext, person_id: str, card_id: str, expected_version: int | None = None) -> Card:
    """The holder activates a card that arrived; a damaged card it replaces is retired."""
    now = ctx.now()

    async def work(uow: UnitOfWork) -> Card:
        card = await card_for(ctx, uow, person_id, card_id)
        require_card_version(card, expected_version)
        loaded = card.version
        predecessor = None
        if card.replaces_card_id is not None:
            predecessor = await ctx.store.card(uow, card.replaces_card_id)
        activate(card, predecessor, now)
        await ctx.store.save_card(uow, card, loaded)
        if predecessor is not None:
            await ctx.store.save_card(uow, predecessor)
        return card

    return await ctx.run(work)
