"""Examples of every body the benefits API takes and gives, for its OpenAPI document."""

from datetime import UTC, datetime
from typing import Any

from plussa_benefits import views
from plussa_benefits.showcase import RewardView
from plussa_shared.paging import Page

AT = datetime(2026, 3, 1, 0, 0, tzinfo=UTC)
UNTIL = datetime(2026, 3, 31, 21, 0, tzinfo=UTC)
RULE: dict[str, Any] = {
    "all": [{"feature": "spend_cents", "months": 3, "category": "grocery", "op": ">=", "value": 20000}]
}
TITLE = {"fi": "Kahvista 500 lisäpistettä", "sv": "500 extrapoäng för kaffe", "en": "500 extra points for coffee"}
DESCRIPTION = {
    "fi": "Osta kahvia vähintään 10 eurolla.",
    "sv": "Köp kaffe för minst 10 euro.",
    "en": "Buy coffee for at least 10 euros.",
}

SEGMENT_IN = {"name": "Grocery regulars", "rule": RULE}
SEGMENT = views.SegmentView(
    segment_id="seg-3f2a9c1b7d4e5f60", issuer_id="k-citymarket", name="Grocery regulars", rule=RULE, version=1
)
OFFER_IN = {
    "title": TITLE,
    "description": DESCRIPTION,
    "valid_from": AT.isoformat(),
    "valid_until": UNTIL.isoformat(),
    "qualification": {"categories": ["grocery"], "product_ids": ["coffee-500g"], "min_spend_cents": 1000},
    "reward": {"kind": "campaign_points", "amount": 500},
    "needs_activation": True,
    "limit_per_person": 1,
    "segment_id": "seg-3f2a9c1b7d4e5f60",
}
OFFER = views.OfferView(
    offer_id="off-8c1d2e3f4a5b6c7d",
    issuer_kind="chain",
    issuer_id="k-citymarket",
    state="published",
    version=2,
    title=views.LocalTextView(**TITLE),
    description=views.LocalTextView(**DESCRIPTION),
    valid_from=AT,
    valid_until=UNTIL,
    qualification=views.QualificationView(
        product_ids=["coffee-500g"], categories=["grocery"], min_spend_cents=1000, store_ids=[], chains=[]
    ),
    reward=RewardView(kind="campaign_points", amount=500),
    needs_activation=True,
    limit_per_person=1,
    segment_id="seg-3f2a9c1b7d4e5f60",
)
OFFER_PAGE = Page[views.OfferView](items=[OFFER], next_cursor=None)
MY_OFFER = views.MyOfferView(
    offer_id="off-8c1d2e3f4a5b6c7d",
    issuer_id="k-citymarket",
    title=TITLE["en"],
    description=DESCRIPTION["en"],
    reward=RewardView(kind="campaign_points", amount=500),
    min_spend_cents=1000,
    valid_from=AT,
    valid_until=UNTIL,
    needs_activation=True,
    activated=True,
    times_used=0,
    limit_per_person=1,
    expected_value_cents=250,
)
MY_OFFERS = Page[views.MyOfferView](items=[MY_OFFER], next_cursor=None)
REDEMPTIONS = Page[views.RedemptionView](
    items=[
        views.RedemptionView(
            redemption_id="off-8c1d2e3f4a5b6c7d:pur-20260305-0001",
            offer_id="off-8c1d2e3f4a5b6c7d",
            purchase_id="pur-20260305-0001",
            reward_kind="campaign_points",
            amount=500,
            reversed=0,
            occurred_at=datetime(2026, 3, 5, 15, 30, tzinfo=UTC),
        )
    ],
    next_cursor=None,
)
CAUSE_NAME = {"fi": "Kallion partio", "sv": "Kallio scouter", "en": "Kallio scouts"}
PROGRAMME_IN = {"causes": [{"cause_id": "kallio-scouts", "name": CAUSE_NAME}], "share_basis_points": 100}
PROGRAMME = views.ProgrammeView(
    store_id="k-market-kallio",
    share_basis_points=100,
    active=True,
    causes=[views.CauseView(cause_id="kallio-scouts", name="Kallio scouts")],
    version=1,
)
MONTHS = Page[views.MonthTotalsView](
    items=[
        views.MonthTotalsView(
            store_id="k-market-kallio",
            month="2026-02",
            causes=[views.CauseTotalView(cause_id="kallio-scouts", cents=12_345)],
            total_cents=12_345,
            closed=True,
            closed_at=datetime(2026, 3, 1, 2, 0, tzinfo=UTC),
        )
    ],
    next_cursor=None,
)
JOIN_IN = {"cause_id": "kallio-scouts"}
MY_SPONSORSHIP = views.MySponsorshipView(
    store_id="k-market-kallio",
    cause_id="kallio-scouts",
    joined_at=AT,
    raised=[views.CauseTotalView(cause_id="kallio-scouts", cents=250)],
)
MY_SPONSORSHIPS = Page[views.MySponsorshipView](items=[MY_SPONSORSHIP], next_cursor=None)
