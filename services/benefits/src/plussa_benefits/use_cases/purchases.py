"""Purchases and returns: each person's features, targeting, redemption and sponsorship.

A batch of purchases is read with one query per collection, judged by the domain,
and written with one call per collection, in the consumer's transaction. A purchase
already applied (a second delivery, or the same purchase under another event id) is
skipped whole, so its benefit and its share are recorded once.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, timedelta

from plussa_benefits.context import BenefitsContext
from plussa_benefits.domain.calendar import month_of
from plussa_benefits.domain.errors import PurchaseOutOfWindowError, UnknownCardError
from plussa_benefits.domain.features import PersonFeatures
from plussa_benefits.domain.purchases import Line, Purchase
from plussa_benefits.domain.sponsorship import Accrual, accrue
from plussa_benefits.domain.wallet import Catalogue, Redemption, Wallet
from plussa_benefits.events.consumed import PurchaseCompleted, PurchaseReturned
from plussa_benefits.events.published import (
    CampaignPointsGranted,
    OfferRedeemed,
    OfferTargeted,
    RedemptionReversed,
    SponsorshipAccrued,
)
from plussa_shared.context import UnitOfWork
from plussa_shared.events import CloudEvent


@dataclass
class _Batch:
    """What a batch of purchases reads before the domain judges it."""

    people: dict[str, PersonFeatures]
    wallets: dict[str, Wallet]
    catalogue: Catalogue


async def record_purchases(ctx: BenefitsContext, events: Sequence[CloudEvent[PurchaseCompleted]]) -> None:
    """Apply completed purchases (one or a batch) in one transaction."""

    async def work(uow: UnitOfWork) -> None:
        purchases = await _new_purchases(ctx, uow, [event.data for event in events])
        if not purchases:
            return
        s = uow.session
        ids = {p.person_id for p in purchases}
        batch = _Batch(
            await ctx.store.features_of(ids, s),
            await ctx.store.wallets_of(ids, s),
            await ctx.catalogue.current(ctx.now(), s, fresh=False),
        )
        redemptions: list[tuple[Redemption, str]] = []
        for purchase in purchases:
            redemptions.extend(_judge(ctx, uow, batch, purchase))
        accruals = await _accruals(ctx, uow, purchases)
        await ctx.store.save_features(batch.people.values(), s)
        await ctx.store.save_wallets(batch.wallets.values(), s)
        await ctx.ledger.add_redemptions(redemptions, s)
        await ctx.sponsorship.add_accruals(accruals, s)

    await ctx.run(work)


async def record_purchase(ctx: BenefitsContext, event: CloudEvent[PurchaseCompleted]) -> None:
    """Apply one completed purchase."""
    await record_purchases(ctx, [event])


async def _new_purchases(ctx: BenefitsContext, uow: UnitOfWork, data: list[PurchaseCompleted]) -> list[Purchase]:
    """The batch's purchases not applied before, each made by a known person (now remembered)."""
    _require_window(ctx, data)
    cards = await ctx.store.card_holders([d.card_number for d in data], uow.session)
    purchases: dict[str, Purchase] = {}
    for d in data:
        if d.purchase_id in purchases:
            continue
        card = cards.get(d.card_number)
        if card is None:
            raise UnknownCardError("No card with this number is known yet")
        if not card.get("person_id") or not card.get("household_id"):
            continue  # a temporary card not linked to a member: nobody to give benefits to
        lines = tuple(Line(x.line_id, x.product_id, x.category, x.quantity, x.amount_cents) for x in d.lines)
        # In UTC like every other time here: comparing times of one tzinfo is the fast path.
        at = d.occurred_at.astimezone(UTC)
        purchases[d.purchase_id] = Purchase(
            d.purchase_id, card["person_id"], card["household_id"], d.store_id, d.chain, at, lines
        )
    new = await ctx.ledger.claim(list(purchases.values()), uow.session)
    return [p for p in purchases.values() if p.purchase_id in new]


def _require_window(ctx: BenefitsContext, data: list[PurchaseCompleted]) -> None:
    """Refuse a purchase dated in the future or too long ago: it would count in a month
    that never comes, or in one long closed."""
    now = ctx.now()
    latest = now + timedelta(seconds=ctx.settings.purchase_clock_skew_s)
    earliest = now - timedelta(days=ctx.settings.purchase_max_age_days)
    for d in data:
        if not earliest <= d.occurred_at <= latest:
            raise PurchaseOutOfWindowError(
                f"occurred_at must be between {earliest.isoformat()} and {latest.isoformat()}",
                pointer="/occurred_at",
            )


def _judge(ctx: BenefitsContext, uow: UnitOfWork, batch: _Batch, purchase: Purchase) -> list[tuple[Redemption, str]]:
    """Count the purchase in the person's features, target, and redeem what it meets."""
    now = ctx.now()
    person = batch.people.get(purchase.person_id)
    if person is None:
        person = batch.people[purchase.person_id] = PersonFeatures(purchase.person_id, purchase.household_id)
    person.add_purchase(purchase, ctx.zone)
    wallet = batch.wallets[purchase.person_id]
    wallet.household_id = purchase.household_id
    subject = f"person/{purchase.person_id}"
    added = wallet.retarget(batch.catalogue, person, now, ctx.zone, ctx.settings.point_value_millicents)
    if added:
        targeted = OfferTargeted(
            offer_ids=added, person_id=purchase.person_id, household_id=purchase.household_id, occurred_at=now
        )
        uow.publish(targeted, subject)
    given = wallet.redeem(batch.catalogue.by_id, purchase)
    for redemption in given:
        _publish_redemption(ctx, uow, redemption)
    return [(r, batch.catalogue.by_id[r.offer_id].issuer.issuer_id) for r in given]


def _publish_redemption(ctx: BenefitsContext, uow: UnitOfWork, r: Redemption) -> None:
    subject = f"household/{r.household_id}"
    redeemed = OfferRedeemed(
        redemption_id=r.redemption_id,
        offer_id=r.offer_id,
        person_id=r.person_id,
        household_id=r.household_id,
        purchase_id=r.purchase_id,
        reward_kind=r.reward_kind,  # type: ignore[arg-type]
        amount=r.amount,
        occurred_at=r.occurred_at,
    )
    uow.publish(redeemed, subject)
    if r.reward_kind == "campaign_points":
        granted = CampaignPointsGranted(
            grant_id=r.redemption_id,
            household_id=r.household_id,
            person_id=r.person_id,
            offer_id=r.offer_id,
            purchase_id=r.purchase_id,
            points=r.amount,
            occurred_at=r.occurred_at,
        )
        uow.publish(granted, subject)


async def _accruals(ctx: BenefitsContext, uow: UnitOfWork, purchases: list[Purchase]) -> list[Accrual]:
    """The sponsorship shares of the batch's purchases."""
    s = uow.session
    programmes = await ctx.sponsorship.programmes_of([p.store_id for p in purchases], s)
    relevant = [p for p in purchases if p.store_id in programmes]
    if not relevant:
        return []
    memberships = await ctx.sponsorship.memberships_of([(p.person_id, p.store_id) for p in relevant], s)
    months = {(p.store_id, month_of(p.occurred_at, ctx.zone)) for p in relevant}
    closed = await ctx.sponsorship.closed_months(months, s)
    now = ctx.now()
    accruals = []
    for p in relevant:
        closed_here = {month for store, month in closed if store == p.store_id}
        membership = memberships.get((p.person_id, p.store_id))
        accrual = accrue(programmes[p.store_id], membership, p, closed_here, now, ctx.zone, ctx.not_eligible)
        if accrual is not None:
            accruals.append(accrual)
            uow.publish(
                SponsorshipAccrued(**accrual.__dict__, occurred_at=p.occurred_at),
                f"store/{p.store_id}",
            )
    return accruals


async def record_return(ctx: BenefitsContext, event: CloudEvent[PurchaseReturned]) -> None:
    """A return: taken off the person's features; the benefits of the returned lines reversed."""
    data = event.data
    returned: dict[str, int] = {}
    for line in data.lines:
        returned[line.line_id] = returned.get(line.line_id, 0) + line.amount_cents

    async def work(uow: UnitOfWork) -> None:
        s = uow.session
        known = await ctx.ledger.purchase(data.purchase_id, s)
        if known is None or data.return_id in known[1]:
            return  # a purchase that gave nothing here (no member), or a return applied already
        purchase = known[0]
        people = await ctx.store.features_of([purchase.person_id], s)
        if purchase.person_id in people:
            people[purchase.person_id].add_return(purchase, returned, ctx.zone)
            await ctx.store.save_features(people.values(), s)
        await ctx.ledger.note_return(purchase.purchase_id, data.return_id, s)
        await _reverse(ctx, uow, purchase, returned, data)

    await ctx.run(work)


async def _reverse(
    ctx: BenefitsContext, uow: UnitOfWork, purchase: Purchase, returned: dict[str, int], data: PurchaseReturned
) -> None:
    s = uow.session
    redemptions = await ctx.ledger.redemptions_of_purchase(purchase.purchase_id, s)
    if not redemptions:
        return
    wallets = await ctx.store.wallets_of([purchase.person_id], s)
    wallet = wallets[purchase.person_id]
    changed = False
    for redemption in redemptions:
        offer = await ctx.store.offer(redemption.offer_id, s)
        if offer is None or redemption.amount <= 0:
            continue
        taken = wallet.reverse(redemption, offer, returned)
        if taken <= 0:
            continue
        changed = True
        await ctx.ledger.reverse(redemption.redemption_id, taken, data.return_id, data.occurred_at, s)
        reversed_ = RedemptionReversed(
            redemption_id=redemption.redemption_id,
            offer_id=redemption.offer_id,
            person_id=redemption.person_id,
            household_id=redemption.household_id,
            purchase_id=redemption.purchase_id,
            return_id=data.return_id,
            reward_kind=redemption.reward_kind,  # type: ignore[arg-type]
            amount=taken,
            occurred_at=data.occurred_at,
        )
        uow.publish(reversed_, f"household/{redemption.household_id}")
    if changed:
        await ctx.store.save_wallets([wallet], s)
