"""What the cards service holds about a person, for their data export, and erasing it."""

from datetime import datetime
from typing import Any

import structlog

from plussa_cards.context import CardsContext
from plussa_cards.domain.card import Card
from plussa_cards.domain.household import Household
from plussa_cards.domain.member import Member
from plussa_cards.domain.payment_card import PaymentCard, PaymentCardState
from plussa_cards.events.consumed import ErasureRequested
from plussa_cards.events.erasure_completed import ErasureCompleted
from plussa_cards.events.erasure_refused import ErasureRefused
from plussa_cards.use_cases.common import new_id
from plussa_shared.context import UnitOfWork

log = structlog.get_logger(__name__)

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


async def answer_erasure(ctx: CardsContext, request: ErasureRequested) -> None:
    """Erase the person and answer ``erasure.completed``, unless that would leave a household
    without a manager: a main holder who still has parallel holders gets ``erasure.refused``
    (``hand-over-first``) and nothing is erased, unless the request closes the household; then
    each parallel holder first becomes the main holder of a household of their own, with their
    cards, and only then is the main holder erased."""
    now = ctx.now()

    async def work(uow: UnitOfWork) -> None:
        member = await ctx.store.member(uow, request.person_id)
        household = await ctx.store.household(uow, member.household_id) if member and member.is_main else None
        if member is not None and member.is_active and household is not None and household.has_parallel_holders:
            if not request.close_household:
                refused = ErasureRefused(
                    request_id=request.request_id,
                    person_id=request.person_id,
                    reason="hand-over-first",
                    occurred_at=now,
                )
                uow.publish(refused, refused.subject)
                return
            await _split_household(ctx, uow, household, now)
        await _erase(ctx, uow, request.person_id, now)
        own = request.household_id if request.household_alone else None
        await ctx.store.pseudonymise_person(uow, request.person_id, own)
        completed = ErasureCompleted(request_id=request.request_id, person_id=request.person_id, occurred_at=now)
        uow.publish(completed, completed.subject)

    await ctx.run(work)
    log.info("erasure_answered", request_id=request.request_id)


async def _split_household(ctx: CardsContext, uow: UnitOfWork, household: Household, now: datetime) -> None:
    """Every parallel holder of ``household`` becomes the main holder of a new household, with their
    Plussa cards and K-Plussa MasterCards."""
    loaded = household.version
    for person_id in list(household.parallel_person_ids):
        member = await ctx.store.member(uow, person_id)
        if member is None:
            continue
        own = household.split_off(member, new_id(), now)
        await ctx.store.add_household(uow, own)
        await ctx.store.save_member(uow, member)
        for card in await ctx.store.cards_of_person(uow, person_id):
            card.move_to(own.household_id, now)
            await ctx.store.save_card(uow, card)
        for payment_card in await ctx.store.payment_cards_of_person(uow, person_id):
            if payment_card.state is PaymentCardState.ACTIVE:
                payment_card.relink(member, now)
                await ctx.store.save_payment_card(uow, payment_card)
    await ctx.store.save_household(uow, household, loaded)


async def erase(ctx: CardsContext, person_id: str) -> None:
    """Forget the person's name, date of birth, e-mail and address; close their cards and block
    their payment cards. A parallel holder leaves their household."""
    now = ctx.now()

    async def work(uow: UnitOfWork) -> None:
        await _erase(ctx, uow, person_id, now)

    await ctx.run(work)


async def _erase(ctx: CardsContext, uow: UnitOfWork, person_id: str, now: datetime) -> None:
    """Forget the person and close what was theirs, in the caller's transaction."""
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
