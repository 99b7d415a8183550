"""Recording a return (its points reversed in the month of the return) and an offer's
campaign points (on a line of their own), each once per id."""

from collections.abc import Sequence
from datetime import datetime

from plussa_points.context import PointsContext, UnitOfWork
from plussa_points.domain.calendar import accounting_month, month_of
from plussa_points.domain.earning import ReturnedLine, apply_return
from plussa_points.domain.errors import InvalidPurchaseError, UnknownMemberError, UnknownPurchaseError, refused
from plussa_points.domain.ingest import NewGrant, NewReturn, Recorded, Seen, duplicate, fingerprint
from plussa_points.domain.validation import LineFigures, check_return
from plussa_points.events.consumed import CampaignPointsGranted, PurchaseReturned
from plussa_points.events.published import PointsEarned, PointsReversed, PurchaseReturnRecorded
from plussa_points.use_cases import household


async def _month(ctx: PointsContext, uow: UnitOfWork, account_id: str, at: datetime) -> str:
    last_closed = await ctx.store.ledger.last_closed([account_id], uow.session)
    return accounting_month(month_of(at, ctx.rules.zone), last_closed[account_id])


async def record_return(ctx: PointsContext, data: PurchaseReturned) -> Recorded:
    """Take returned lines off a purchase and reverse their points, in the month of the return."""
    lines = [LineFigures(x.line_id, x.quantity, x.amount_cents) for x in data.lines]
    check_return(ctx.rules, lines, data.occurred_at, ctx.now())
    digest = fingerprint(data)

    async def work(uow: UnitOfWork) -> Recorded:
        seen = await ctx.store.purchases.return_seen(data.return_id, uow.session)
        if seen is not None:
            return duplicate(data.return_id, digest, seen, "return")
        purchase = await ctx.store.purchases.recorded(data.purchase_id, uow.session)
        if purchase is None:
            raise UnknownPurchaseError("No purchase with this id is known")
        returned = [ReturnedLine(x.line_id, x.quantity, x.amount_cents) for x in data.lines]
        outcome = apply_return(ctx.rules, purchase.remaining, returned, mastercard=purchase.mastercard)
        ret = NewReturn(
            return_id=data.return_id,
            fingerprint=digest,
            purchase=purchase,
            occurred_at=data.occurred_at,
            month=await _month(ctx, uow, purchase.household_id, data.occurred_at),
            outcome=outcome,
            returned={x.line_id: (x.quantity, x.amount_cents) for x in data.lines},
        )
        await ctx.store.purchases.add_return(ret, uow.session)
        await ctx.store.ledger.post([ret.posting()], uow.session)
        await ctx.store.pages.purchase_changed(data.purchase_id, uow.session)
        _publish_return(uow, ret)
        return Recorded(data.return_id, ret.month, outcome.points)

    return await ctx.run(work)


def _publish_return(uow: UnitOfWork, ret: NewReturn) -> None:
    purchase, outcome = ret.purchase, ret.outcome
    subject = household(purchase.household_id)
    recorded = PurchaseReturnRecorded(
        return_id=ret.return_id,
        purchase_id=purchase.purchase_id,
        household_id=purchase.household_id,
        person_id=purchase.person_id,
        month=ret.month,
        returned_cents=outcome.returned_cents,
        points_reversed=outcome.points,
        occurred_at=ret.occurred_at,
    )
    uow.publish(recorded, subject)
    if outcome.points:
        reversed_ = PointsReversed(
            household_id=purchase.household_id,
            person_id=purchase.person_id,
            return_id=ret.return_id,
            purchase_id=purchase.purchase_id,
            month=ret.month,
            points=outcome.points,
            occurred_at=ret.occurred_at,
        )
        uow.publish(reversed_, subject)


async def record_campaign_points(ctx: PointsContext, data: CampaignPointsGranted) -> Recorded:
    """Credit an offer's campaign points on their own line, once per grant."""
    [recorded] = await record_campaign_points_batch(ctx, [data])
    return recorded


async def record_campaign_points_batch(ctx: PointsContext, grants: Sequence[CampaignPointsGranted]) -> list[Recorded]:
    """Credit several grants in one transaction (one read per collection, one write per
    collection), with the same outcome as crediting them one after the other."""
    digests = [_checked_grant(ctx, data) for data in grants]

    async def work(uow: UnitOfWork) -> list[Recorded]:
        s = uow.session
        seen = await ctx.store.purchases.grants_seen([d.grant_id for d in grants], s)
        known = await ctx.store.members.known({(d.household_id, d.person_id) for d in grants}, s)
        last_closed = await ctx.store.ledger.last_closed(list({d.household_id for d in grants}), s)
        recorded: list[Recorded] = []
        new: list[NewGrant] = []
        for data, digest in zip(grants, digests, strict=True):
            if data.grant_id in seen:
                recorded.append(duplicate(data.grant_id, digest, seen[data.grant_id], "grant"))
                continue
            if (data.household_id, data.person_id) not in known:
                raise UnknownMemberError("The household member is not known")
            month = accounting_month(month_of(data.occurred_at, ctx.rules.zone), last_closed[data.household_id])
            grant = NewGrant(
                grant_id=data.grant_id,
                fingerprint=digest,
                household_id=data.household_id,
                person_id=data.person_id,
                offer_id=data.offer_id,
                purchase_id=data.purchase_id,
                points=data.points,
                month=month,
                occurred_at=data.occurred_at,
            )
            new.append(grant)
            seen[grant.grant_id] = Seen(digest, month, grant.points)
            recorded.append(Recorded(data.grant_id, month, data.points))
        await ctx.store.purchases.add_grants(new, s)
        await ctx.store.ledger.post([grant.posting() for grant in new], s)
        for grant in new:
            _publish_grant(uow, grant)
        return recorded

    return await ctx.run(work)


def _checked_grant(ctx: PointsContext, data: CampaignPointsGranted) -> str:
    if not 0 < data.points <= ctx.rules.max_campaign_points:
        detail = "Campaign points must be positive and within the limit"
        raise refused(InvalidPurchaseError, "out_of_range", detail, "/points")
    return fingerprint(data)


def _publish_grant(uow: UnitOfWork, grant: NewGrant) -> None:
    earned = PointsEarned(
        household_id=grant.household_id,
        person_id=grant.person_id,
        reason="campaign",
        reference=grant.grant_id,
        month=grant.month,
        points=grant.points,
        occurred_at=grant.occurred_at,
    )
    uow.publish(earned, household(grant.household_id))
