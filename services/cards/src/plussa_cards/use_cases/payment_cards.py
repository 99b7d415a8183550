"""K-Plussa MasterCards, linked to a member and blocked by the issuing bank."""

import structlog

from plussa_cards.context import CardsContext
from plussa_cards.domain.errors import MemberNotFoundError, PaymentCardAlreadyLinkedError, PaymentCardNotFoundError
from plussa_cards.domain.payment_card import PaymentCard, PaymentCardState
from plussa_cards.use_cases.common import new_id
from plussa_shared.context import UnitOfWork

log = structlog.get_logger(__name__)


async def link_payment_card(
    ctx: CardsContext, person_id: str, network: str, network_token: str, last4: str
) -> PaymentCard:
    """The issuing bank links a K-Plussa MasterCard to a member."""
    now = ctx.now()

    async def work(uow: UnitOfWork) -> PaymentCard:
        member = await ctx.store.member(uow, person_id)
        if member is None or not member.is_active:
            raise MemberNotFoundError()
        card = PaymentCard.link(
            payment_card_id=new_id(),
            member=member,
            network=network,
            network_token=network_token,
            last4=last4,
            now=now,
        )
        existing = await ctx.store.payment_card_by_token(uow, network_token)
        if existing is not None and existing.state is not PaymentCardState.UNLINKED:
            raise PaymentCardAlreadyLinkedError()
        if existing is not None:
            # The card left a household with its holder; it is theirs, so it follows them.
            existing.relink(member, now)
            card = existing
        await ctx.store.save_payment_card(uow, card)
        return card

    card = await ctx.run(work)
    log.info("payment_card_linked", payment_card_id=card.payment_card_id, person_id=person_id)
    return card


async def block_payment_card(ctx: CardsContext, payment_card_id: str, reason: str) -> PaymentCard:
    """The issuing bank blocks a K-Plussa MasterCard."""
    now = ctx.now()

    async def work(uow: UnitOfWork) -> PaymentCard:
        card = await ctx.store.payment_card(uow, payment_card_id)
        if card is None:
            raise PaymentCardNotFoundError()
        card.block(reason, now)
        await ctx.store.save_payment_card(uow, card)
        return card

    return await ctx.run(work)
