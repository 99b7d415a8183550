"""Offers and segments, managed by chains and partners with a service credential.

An issuer sees and changes only its own offers and segments: anyone else's answer
"not found". A published offer is targeted to everyone already in its segment right
after it is published, a chunk of people per transaction.
"""

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from plussa_benefits.context import BenefitsContext
from plussa_benefits.domain.errors import (
    OfferNotFoundError,
    SegmentNotFoundError,
    StaleVersionError,
    UnknownSegmentError,
)
from plussa_benefits.domain.offers import Issuer, Offer, OfferTerms
from plussa_benefits.domain.segments import Segment, parse_rule
from plussa_benefits.events.published import (
    LocalText,
    OfferChanged,
    OfferPublished,
    OfferTargeted,
    OfferWithdrawn,
    RewardOut,
)
from plussa_shared.context import UnitOfWork

T = TypeVar("T")


@dataclass(frozen=True)
class NewSegment:
    """A segment as an issuer sends it."""

    name: str
    rule: Any


async def _changing(ctx: BenefitsContext, work: Callable[[UnitOfWork], Awaitable[T]]) -> T:
    """Run a change of the catalogue; purchases in this process see it at once."""
    result = await ctx.run(work)
    ctx.catalogue.changed()
    return result


def _check_version(current: int, expected: int | None) -> None:
    if expected is not None and expected != current:
        raise StaleVersionError("The resource has changed since it was read", version=current)


async def _own_offer(ctx: BenefitsContext, uow: UnitOfWork, issuer_id: str, offer_id: str) -> Offer:
    offer = await ctx.store.offer(offer_id, uow.session)
    if offer is None or offer.issuer.issuer_id != issuer_id:
        raise OfferNotFoundError("No such offer of yours")
    return offer


async def _require_segment(ctx: BenefitsContext, uow: UnitOfWork, issuer_id: str, segment_id: str) -> Segment:
    segment = await ctx.store.segment(segment_id, uow.session)
    if segment is None or segment.issuer != issuer_id:
        raise UnknownSegmentError("The offer names a segment you do not have", segment_id=segment_id)
    return segment


async def create_segment(ctx: BenefitsContext, issuer_id: str, new: NewSegment) -> Segment:
    """A new segment; its rule must parse."""
    segment = Segment(f"seg-{uuid.uuid4().hex[:16]}", issuer_id, new.name, parse_rule(new.rule))

    async def work(uow: UnitOfWork) -> Segment:
        await ctx.store.save_segment(segment, uow.session, new=True)
        return segment

    return await _changing(ctx, work)


async def change_segment(
    ctx: BenefitsContext, issuer_id: str, segment_id: str, new: NewSegment, expected: int | None
) -> Segment:
    """Replace a segment's rule; people are judged by it from their next purchase on."""
    rule = parse_rule(new.rule)

    async def work(uow: UnitOfWork) -> Segment:
        current = await ctx.store.segment(segment_id, uow.session)
        if current is None or current.issuer != issuer_id:
            raise SegmentNotFoundError("No such segment of yours")
        _check_version(current.version, expected)
        changed = Segment(segment_id, issuer_id, new.name, rule, current.version + 1)
        await ctx.store.save_segment(changed, uow.session)
        return changed

    return await _changing(ctx, work)


async def get_segment(ctx: BenefitsContext, issuer_id: str, segment_id: str) -> Segment:
    """One of the issuer's segments."""

    async def work(uow: UnitOfWork) -> Segment:
        segment = await ctx.store.segment(segment_id, uow.session)
        if segment is None or segment.issuer != issuer_id:
            raise SegmentNotFoundError("No such segment of yours")
        return segment

    return await ctx.run(work)


async def create_offer(ctx: BenefitsContext, issuer: Issuer, terms: OfferTerms) -> Offer:
    """A new draft offer for one of the issuer's segments."""
    offer_id = f"off-{uuid.uuid4().hex[:16]}"

    async def work(uow: UnitOfWork) -> Offer:
        await _require_segment(ctx, uow, issuer.issuer_id, terms.segment_id)
        offer = Offer.draft(offer_id, issuer, terms, ctx.limits, ctx.now())
        await ctx.store.save_offer(offer, uow.session, new=True)
        return offer

    return await _changing(ctx, work)


async def get_offer(ctx: BenefitsContext, issuer_id: str, offer_id: str) -> Offer:
    """One of the issuer's offers."""

    async def work(uow: UnitOfWork) -> Offer:
        return await _own_offer(ctx, uow, issuer_id, offer_id)

    return await ctx.run(work)


async def change_offer(
    ctx: BenefitsContext, issuer_id: str, offer_id: str, terms: OfferTerms, expected: int | None
) -> Offer:
    """New terms for an offer that has not started; wallets holding it show them at once."""

    async def work(uow: UnitOfWork) -> Offer:
        offer = await _own_offer(ctx, uow, issuer_id, offer_id)
        _check_version(offer.version, expected)
        await _require_segment(ctx, uow, issuer_id, terms.segment_id)
        offer.change(terms, ctx.limits, ctx.now())
        await ctx.store.save_offer(offer, uow.session)
        if offer.state.value == "published":
            uow.publish(OfferChanged(**_facts(offer), occurred_at=ctx.now()), f"offer/{offer.offer_id}")
        return offer

    return await _changing(ctx, work)


async def publish_offer(ctx: BenefitsContext, issuer_id: str, offer_id: str, expected: int | None) -> Offer:
    """Make an offer live, then target it to everyone already in its segment."""

    async def work(uow: UnitOfWork) -> tuple[Offer, bool]:
        offer = await _own_offer(ctx, uow, issuer_id, offer_id)
        _check_version(offer.version, expected)
        published = offer.publish(ctx.now())
        if published:
            await ctx.store.save_offer(offer, uow.session)
            event = OfferPublished(**_facts(offer), issuer_kind=offer.issuer.kind, occurred_at=ctx.now())  # type: ignore[arg-type]
            uow.publish(event, f"offer/{offer.offer_id}")
        return offer, published

    offer, published = await _changing(ctx, work)
    if published:
        await target_offer(ctx, offer.offer_id)
    return offer


async def withdraw_offer(ctx: BenefitsContext, issuer_id: str, offer_id: str, expected: int | None) -> Offer:
    """End an offer for everyone: it leaves every wallet and gives nothing more."""

    async def work(uow: UnitOfWork) -> Offer:
        offer = await _own_offer(ctx, uow, issuer_id, offer_id)
        _check_version(offer.version, expected)
        if offer.withdraw():
            await ctx.store.save_offer(offer, uow.session)
            await ctx.store.remove_held(offer.offer_id, uow.session)
            withdrawn = OfferWithdrawn(
                offer_id=offer.offer_id, issuer_id=issuer_id, version=offer.version, occurred_at=ctx.now()
            )
            uow.publish(withdrawn, f"offer/{offer.offer_id}")
        return offer

    return await _changing(ctx, work)


async def target_offer(ctx: BenefitsContext, offer_id: str) -> int:
    """Give a published offer to everyone in its segment, a chunk per transaction; how many got it."""
    after: str | None = None
    targeted = 0
    while True:

        async def chunk(uow: UnitOfWork, start: str | None = after) -> tuple[str | None, int]:
            offer = await ctx.store.offer(offer_id, uow.session)
            people = await ctx.store.features_after(start, ctx.settings.targeting_chunk, uow.session)
            if offer is None or not people:
                return None, 0
            segment = await ctx.store.segment(offer.terms.segment_id, uow.session)
            if segment is None:
                return None, 0
            wallets = await ctx.store.wallets_of([p.person_id for p in people], uow.session)
            now = ctx.now()
            additions = []
            for person in people:
                wallet = wallets[person.person_id]
                wallet.household_id = wallet.household_id or person.household_id
                if wallet.consider(offer, segment, person, now, ctx.zone, ctx.settings.point_value_millicents):
                    additions.append((wallet, wallet.held[offer_id]))
                    uow.publish(
                        OfferTargeted(
                            offer_ids=[offer_id],
                            person_id=person.person_id,
                            household_id=person.household_id,
                            occurred_at=now,
                        ),
                        f"person/{person.person_id}",
                    )
            await ctx.store.add_held(additions, uow.session)
            return people[-1].person_id, len(additions)

        after, count = await ctx.run(chunk)
        targeted += count
        if after is None:
            return targeted


def _facts(offer: Offer) -> dict[str, Any]:
    terms = offer.terms
    return {
        "offer_id": offer.offer_id,
        "issuer_id": offer.issuer.issuer_id,
        "segment_id": terms.segment_id,
        "title": LocalText(**terms.title.as_dict()),
        "reward": RewardOut(kind=terms.reward.kind.value, amount=terms.reward.amount),
        "needs_activation": terms.needs_activation,
        "valid_from": terms.valid_from,
        "valid_until": terms.valid_until,
        "version": offer.version,
    }
