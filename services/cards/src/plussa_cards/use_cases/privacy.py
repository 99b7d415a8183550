"""What the cards service holds about a person, for their data export, and erasing it."""

from typing import Any

from plussa_cards.context import CardsContext
from plussa_cards.domain.card import Card
from plussa_cards.domain.member import Member
from plussa_cards.domain.payment_card import PaymentCard, PaymentCardState
from plussa_shared.context import UnitOfWork

ERASED = "erased"
"""Why the cards of an erased person were closed and their payment cards blocked."""


async def export(ctx: CardsContext, person_id: str) -> dict[str, Any]:
    """Everything held about the person (nothing, if they are unknown here)."""

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        member = await ctx.store.member(uow, person_id)
        cards = await ctx.store.cards_of_person(uow, person_id)
        payment_cards = await ctx.store.payment_cards_of_person(uow, person_id)
        return {
            "person": _member_data(member) if member else None,
            "cards": [_card_data(c) for c in cards],
            "payment_cards": [_payment_card_data(p) for p in payment_cards],
        }

    return await ctx.run(work)


async def erase(ctx: CardsContext, person_id: str) -> None:
    """Forget the person's name, date of birth, e-mail and address; close their cards and block
    their payment cards. A parallel holder leaves their household."""
    now = ctx.now()

    async def work(uow: UnitOfWork) -> None:
        member = await ctx.store.member(uow, person_id)
        if member is not None and member.is_active and not member.is_main:
            household = await ctx.store.household(uow, member.household_id)
            if household is not None:
                loaded = household.version
                household.remove_parallel_holder(member, now)
                await ctx.store.save_household(uow, household, loaded)
        for card in await ctx.store.cards_of_person(uow, person_id):
            if card.is_live:
                card.close(ERASED, now)
                await ctx.store.save_card(uow, card)
        for payment_card in await ctx.store.payment_cards_of_person(uow, person_id):
            if payment_card.state is PaymentCardState.ACTIVE:
                payment_card.block(ERASED, now)
                await ctx.store.save_payment_card(uow, payment_card)
        if member is not None:
            member.erase()
            await ctx.store.save_member(uow, member)

    await ctx.run(work)


def _member_data(m: Member) -> dict[str, Any]:
    return {
        "person_id": m.person_id,
        "household_id": m.household_id,
        "role": m.role.value,
        "first_name": m.first_name,
        "last_name": m.last_name,
        "date_of_birth": m.date_of_birth.isoformat() if m.date_of_birth else None,
        "email": m.email,
        "language": m.language,
        "address": vars(m.address) if m.address else None,
        "can_use_money": m.may_use_money,
        "joined_at": m.joined_at.isoformat(),
        "status": m.status.value,
    }


def _card_data(c: Card) -> dict[str, Any]:
    return {
        "card_id": c.card_id,
        "card_number": c.card_number,
        "kind": c.kind.value,
        "state": c.state.value,
        "issued_at": c.issued_at.isoformat(),
        "valid_until": c.valid_until.isoformat() if c.valid_until else None,
    }


def _payment_card_data(p: PaymentCard) -> dict[str, Any]:
    return {"payment_card_id": p.payment_card_id, "network": p.network, "last4": p.last4, "state": p.state.value}
