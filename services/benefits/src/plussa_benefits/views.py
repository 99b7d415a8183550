"""Read-only answers; the reads skip the domain and go straight to the stored documents."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from plussa_benefits.context import BenefitsContext
from plussa_benefits.domain.errors import NoSponsorshipError
from plussa_benefits.domain.offers import Offer
from plussa_benefits.domain.segments import Segment
from plussa_benefits.domain.sponsorship import MonthTotals, Programme
from plussa_benefits.domain.wallet import Catalogue
from plussa_benefits.showcase import OfferFactsView, RewardKind, RewardView, offer_facts
from plussa_benefits.store.mappers import ShownOffer, shown_offer, shown_offer_id
from plussa_shared.mongo import Document


class MyOfferView(OfferFactsView):
    """One of my offers, in my language."""

    activated: bool
    times_used: int = Field(description="Purchases that got this offer's benefit")
    limit_per_person: int
    expected_value_cents: int = Field(description="What the offer is likely worth to me in a month: the ranking key")


class RedemptionView(BaseModel):
    """What one purchase got from one offer."""

    redemption_id: str
    offer_id: str
    purchase_id: str
    reward_kind: RewardKind
    amount: int = Field(description="Points or cents given by the purchase")
    reversed: int = Field(description="Points or cents taken back by returns")
    occurred_at: datetime


async def ranked_offers(
    ctx: BenefitsContext, person_id: str, *, start: int = 0, size: int | None = None
) -> tuple[list[tuple[ShownOffer, Offer]], Catalogue, bool]:
    """A person's offers still open, best first, from the ``start``-th on (``size`` of them,
    all when None), the catalogue they come from, and whether more follow: one read of
    their wallet, the offers from the catalogue cache."""
    shown = await ctx.store.shown_offers(person_id)
    now = ctx.now()
    end = None if size is None else start + size
    catalogue = await ctx.catalogue.for_reading(now)
    page, more, lacking = open_offers(shown, catalogue, now, start, end)
    if lacking and (checked := await ctx.catalogue.lacking(now)) is not None:
        catalogue = checked
        page, more, _ = open_offers(shown, catalogue, now, start, end)
    return page, catalogue, more


async def offers_json(
    ctx: BenefitsContext, person_id: str, language: str, *, start: int, size: int
) -> tuple[list[bytes], str | None, bool]:
    """A page of a person's offers in ``language`` as each ``MyOfferView``'s JSON, the id
    of its last offer and whether more follow: the offers' parts come prepared."""
    page, catalogue, more = await ranked_offers(ctx, person_id, start=start, size=size)
    last = page[-1][1].offer_id if page else None
    return ctx.showcase.items(page, catalogue, language), last, more


def open_offers(
    shown: list[str], catalogue: Catalogue, now: datetime, start: int, end: int | None
) -> tuple[list[tuple[ShownOffer, Offer]], bool, bool]:
    """The offers ``shown`` (as stored, best first) still open, from the ``start``-th to
    before the ``end``-th (to the last when None), each with its offer; whether more
    follow; and whether an entry looked at names an offer missing from ``catalogue``.
    Only the entries of the page are parsed."""
    page: list[tuple[ShownOffer, Offer]] = []
    by_id = catalogue.by_id
    all_open = now < catalogue.open_until
    lacking = False
    position = 0
    for entry in shown:
        o = by_id.get(shown_offer_id(entry))
        if o is None:
            lacking = True
        elif all_open or o.open_at(now):
            if position == end:
                return page, True, lacking
            if position >= start:
                page.append((shown_offer(entry), o))
            position += 1
    return page, False, lacking


def my_offer(entry: ShownOffer, o: Offer, language: str) -> MyOfferView:
    """A held offer as its person sees it, in ``language``."""
    return MyOfferView(
        **dict(offer_facts(o, language)),
        activated=entry.activated,
        times_used=entry.redeemed,
        limit_per_person=o.terms.limit_per_person,
        expected_value_cents=entry.score,
    )


async def redemptions_of(
    ctx: BenefitsContext, person_id: str, limit: int, cursor: str | None
) -> tuple[list[RedemptionView], str | None]:
    """A page of what a person's offers gave them, newest first."""
    docs, next_cursor = await ctx.ledger.redemptions_of_person(person_id, limit, cursor)
    return [redemption(d) for d in docs], next_cursor


def redemption(doc: Document) -> RedemptionView:
    """A stored redemption as shown to its person."""
    return RedemptionView(
        redemption_id=doc["_id"],
        offer_id=doc["offer_id"],
        purchase_id=doc["purchase_id"],
        reward_kind=doc["reward_kind"],
        amount=doc["amount"],
        reversed=doc.get("reversed", 0),
        occurred_at=doc["occurred_at"],
    )


class LocalTextView(BaseModel):
    """A text in Finnish, Swedish and English."""

    fi: str = Field(min_length=1, max_length=2000)
    sv: str = Field(min_length=1, max_length=2000)
    en: str = Field(min_length=1, max_length=2000)


class QualificationView(BaseModel):
    """What a purchase must hold."""

    product_ids: list[str]
    categories: list[str]
    min_spend_cents: int
    store_ids: list[str]
    chains: list[str]


class OfferView(BaseModel):
    """An offer as its issuer sees it."""

    offer_id: str
    issuer_kind: Literal["chain", "partner"]
    issuer_id: str
    state: Literal["draft", "published", "withdrawn"]
    version: int
    title: LocalTextView
    description: LocalTextView
    valid_from: datetime
    valid_until: datetime
    qualification: QualificationView
    reward: RewardView
    needs_activation: bool
    limit_per_person: int
    segment_id: str


async def offers_of_issuer(
    ctx: BenefitsContext, issuer_id: str, limit: int, cursor: str | None
) -> tuple[list[OfferView], str | None]:
    """A page of an issuer's offers."""
    found, next_cursor = await ctx.store.issuer_offers(issuer_id, limit, cursor)
    return [offer(o) for o in found], next_cursor


def offer(o: Offer) -> OfferView:
    """An offer for its issuer."""
    t = o.terms
    q = t.qualification
    return OfferView(
        offer_id=o.offer_id,
        issuer_kind=o.issuer.kind,  # type: ignore[arg-type]
        issuer_id=o.issuer.issuer_id,
        state=o.state.value,
        version=o.version,
        title=LocalTextView(**t.title.as_dict()),
        description=LocalTextView(**t.description.as_dict()),
        valid_from=t.valid_from,
        valid_until=t.valid_until,
        qualification=QualificationView(
            product_ids=sorted(q.product_ids),
            categories=sorted(q.categories),
            min_spend_cents=q.min_spend_cents,
            store_ids=sorted(q.store_ids),
            chains=sorted(q.chains),
        ),
        reward=RewardView(kind=t.reward.kind.value, amount=t.reward.amount),
        needs_activation=t.needs_activation,
        limit_per_person=t.limit_per_person,
        segment_id=t.segment_id,
    )


class SegmentView(BaseModel):
    """A segment and its rule."""

    segment_id: str
    issuer_id: str
    name: str
    rule: dict[str, object]
    version: int


def segment(s: Segment) -> SegmentView:
    """A segment for its issuer."""
    return SegmentView(segment_id=s.segment_id, issuer_id=s.issuer, name=s.name, rule=s.rule_data(), version=s.version)


class CauseView(BaseModel):
    """A cause of a store's programme, in the caller's language."""

    cause_id: str
    name: str


class ProgrammeView(BaseModel):
    """A store's sponsorship programme."""

    store_id: str
    share_basis_points: int = Field(description="The share of eligible spend given, in basis points (100 = 1 %)")
    active: bool
    causes: list[CauseView]
    version: int


async def programme_of(ctx: BenefitsContext, store_id: str, language: str) -> ProgrammeView:
    """A store's programme; ``NoSponsorshipError`` when it has none."""
    found = await ctx.sponsorship.programme(store_id, None)
    if found is None:
        raise NoSponsorshipError("The store runs no sponsorship programme")
    return programme(found, language)


def programme(p: Programme, language: str) -> ProgrammeView:
    """A programme in ``language``."""
    return ProgrammeView(
        store_id=p.store_id,
        share_basis_points=p.share_basis_points,
        active=p.active,
        causes=[CauseView(cause_id=c.cause_id, name=c.name.pick(language)) for c in p.causes],
        version=p.version,
    )


class CauseTotalView(BaseModel):
    """What one cause got."""

    cause_id: str
    cents: int
    currency: Literal["EUR"] = "EUR"


class MonthTotalsView(BaseModel):
    """A store's totals per cause in one month."""

    store_id: str
    month: str
    causes: list[CauseTotalView]
    total_cents: int
    closed: bool
    closed_at: datetime | None


async def months_of(
    ctx: BenefitsContext, store_id: str, limit: int, cursor: str | None
) -> tuple[list[MonthTotalsView], str | None]:
    """A page of a store's months, newest first."""
    found, next_cursor = await ctx.sponsorship.months(store_id, limit, cursor)
    return [month_totals(t) for t in found], next_cursor


def month_totals(t: MonthTotals) -> MonthTotalsView:
    """A store's month."""
    return MonthTotalsView(
        store_id=t.store_id,
        month=t.month,
        causes=[CauseTotalView(cause_id=c, cents=v) for c, v in sorted(t.totals.items())],
        total_cents=sum(t.totals.values()),
        closed=t.closed_at is not None,
        closed_at=t.closed_at,
    )


class MySponsorshipView(BaseModel):
    """My choice of cause in one store and what my purchases there raised."""

    store_id: str
    cause_id: str | None = Field(description="The cause I support now; null once I left")
    joined_at: datetime
    raised: list[CauseTotalView] = Field(description="What my purchases in this store gave, per cause")


async def my_sponsorships(
    ctx: BenefitsContext, person_id: str, limit: int, cursor: str | None, store_id: str | None = None
) -> tuple[list[MySponsorshipView], str | None]:
    """A page of a person's memberships and what their purchases raised in each store."""
    raised: dict[str, list[CauseTotalView]] = {}
    for row in await ctx.sponsorship.raised_by(person_id):
        raised.setdefault(row["_id"]["store_id"], []).append(
            CauseTotalView(cause_id=row["_id"]["cause_id"], cents=row["cents"])
        )
    docs, next_cursor = await ctx.sponsorship.person_memberships(person_id, limit, cursor, store_id)
    views = [
        MySponsorshipView(
            store_id=doc["store_id"],
            cause_id=doc["cause_id"],
            joined_at=doc["joined_at"],
            raised=raised.get(doc["store_id"], []),
        )
        for doc in docs
    ]
    return views, next_cursor


async def my_sponsorship(ctx: BenefitsContext, person_id: str, store_id: str) -> MySponsorshipView:
    """A person's membership in one store."""
    views, _ = await my_sponsorships(ctx, person_id, 1, None, store_id)
    return views[0]
