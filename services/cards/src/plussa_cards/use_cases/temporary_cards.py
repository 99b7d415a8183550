"""Temporary cards: handed over in a store, earning at once, linked by a member or expired."""

import functools
from datetime import datetime

import structlog

from plussa_cards.context import CardsContext
from plussa_cards.domain.card import Card, CardKind
from plussa_cards.domain.card_number import parse_card_number
from plussa_cards.domain.dates import add_months
from plussa_cards.domain.errors import CardNotFoundError
from plussa_cards.use_cases.common import actor, issue_card
from plussa_shared.context import UnitOfWork

log = structlog.get_logger(__name__)


async def issue_temporary_card(ctx: CardsContext, store_id: str) -> Card:
    """A store hands over a temporary card: it earns at once, never spends, and expires unless linked."""
    now = ctx.now()
    valid_until = add_months(now.date(), ctx.settings.temporary_card_validity_months)

    async def work(uow: UnitOfWork) -> Card:
        card = issue_card(ctx, CardKind.TEMPORARY, None, None, now, valid_until=valid_until, issued_by=store_id)
        await ctx.store.save_card(uow, card)
        return card

    return await ctx.run(work)


async def link_temporary_card(ctx: CardsContext, person_id: str, card_number: str) -> Card:
    """A member puts a temporary card on their household's account."""
    number = parse_card_number(card_number, ctx.settings.card_number_length)
    now = ctx.now()

    async def work(uow: UnitOfWork) -> Card:
        member = await actor(ctx, uow, person_id)
        card = await ctx.store.card_by_number(uow, number)
        if card is None or (card.is_linked and card.household_id != member.household_id):
            raise CardNotFoundError()
        card.link(member.household_id, member.person_id, now)
        await ctx.store.save_card(uow, card)
        return card

    return await ctx.run(work)


async def expire_temporary_cards(ctx: CardsContext) -> int:
    """Expire every unlinked temporary card past its validity; safe to run again. How many expired."""
    now = ctx.now()
    expired = 0
    while ids := await ctx.store.unlinked_temporary_cards_valid_before(now.date(), ctx.settings.expiry_batch_size):
        done = 0
        for card_id in ids:
            done += await ctx.run(functools.partial(_expire, ctx, card_id=card_id, now=now))
        expired += done
        if done == 0:
            break  # linked or expired by someone else meanwhile; the next run sees the rest
    log.info("temporary_cards_expired", count=expired)
    return expired


async def _expire(ctx: CardsContext, uow: UnitOfWork, *, card_id: str, now: datetime) -> int:
    card = await ctx.store.card(uow, card_id)
    if card is None or not card.is_due_to_expire(now.date()):
        return 0
    card.expire(now)
    await ctx.store.save_card(uow, card)
    return 1
