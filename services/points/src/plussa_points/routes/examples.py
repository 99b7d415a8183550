"""Example bodies of the points service's routes, as a BFF would send and receive them
(shown in the OpenAPI document and checked against its schemas by the tests)."""

from datetime import UTC, date, datetime

from plussa_points.answers import (
    BalanceView,
    CharityOption,
    CharityView,
    ExpiryView,
    GroceryProgressView,
    GroceryStepView,
    LineView,
    LotView,
    MoneyUseView,
    MonthPurchasesView,
    PurchaseView,
    SavingsView,
    StatementSummaryView,
    StatementView,
)
from plussa_shared.languages import LocalizedText
from plussa_shared.money import Money
from plussa_shared.paging import Page

AT = datetime(2026, 3, 10, 14, 5, tzinfo=UTC)
PAID = datetime(2026, 3, 3, 22, 0, tzinfo=UTC)
EXPIRES = datetime(2027, 4, 3, 21, 0, tzinfo=UTC)
CURSOR = "eyJzIjoib2NjdXJyZWRfYXQiLCJ2Ijp7fX0"

SAVINGS = SavingsView(on=True, release_on=date(2026, 12, 1), amount=Money.eur(1000), version=3)
CHARITY = CharityView(on=True, charity_id="unicef", max_thousands=2, version=1)
STEP_350 = GroceryStepView(from_spend=Money.eur(35_000), points_per_euro=1)
STEP_500 = GroceryStepView(from_spend=Money.eur(50_000), points_per_euro=2)

BALANCE = BalanceView(
    household_id="h-8f2d",
    spendable=Money.eur(1234),
    saved=Money.eur(1000),
    pending=Money.eur(0),
    total=Money.eur(2234),
    coming_payment=Money.eur(500),
    spendable_cents=1234,
    saved_cents=1000,
    pending_cents=0,
    total_cents=2234,
    points=812,
    month="2026-03",
    month_grocery_cents=41_250,
    projected_grocery_bonus=412,
    grocery=GroceryProgressView(
        month="2026-03",
        steps=[STEP_350, STEP_500],
        spend=Money.eur(41_250),
        current_step=STEP_350,
        next_step=STEP_500,
        gap_to_next_step=Money.eur(8_750),
        projected_bonus_points=412,
    ),
    status="regular",
    savings=SAVINGS,
    charity=CHARITY,
    next_expiry=EXPIRES,
    next_expiring=ExpiryView(amount=Money.eur(1234), at=EXPIRES),
)

LOTS = Page[LotView](
    items=[
        LotView(
            lot_id="lot:h-8f2d:2026-02",
            month="2026-02",
            cents=1500,
            remaining_cents=1234,
            remaining=Money.eur(1234),
            paid_at=PAID,
            expires_at=EXPIRES,
            saved_until=None,
        )
    ],
    next_cursor=None,
)

MONEY_USE = Page[MoneyUseView](
    items=[
        MoneyUseView(
            reason="spend",
            at=AT,
            cents=-300,
            amount=Money.eur(-300),
            reference="till-7781",
            details={"lots": [{"lot_id": "lot:h-8f2d:2026-02", "cents": 300}]},
        )
    ],
    next_cursor=CURSOR,
)

PURCHASE = PurchaseView(
    purchase_id="k-citymarket-1042-77812",
    store_name="K-Citymarket Ruoholahti",
    chain="k-citymarket",
    occurred_at=AT,
    month="2026-03",
    total_cents=2899,
    total=Money.eur(2899),
    points=19,
    points_reversed=0,
    card_id="card-51a0",
    person_id="p-aino",
    mine=True,
    lines=[
        LineView(
            line_id="1",
            name="Kahvi 500 g",
            category="grocery",
            quantity=1,
            amount_cents=1999,
            eligible=True,
            points=19,
            returned_quantity=0,
            returned_cents=0,
        ),
        LineView(
            line_id="2",
            name="Olut 6-pack",
            category="alcohol",
            quantity=1,
            amount_cents=900,
            eligible=False,
            points=0,
            returned_quantity=0,
            returned_cents=0,
        ),
    ],
)

MONTH_PURCHASES = MonthPurchasesView(month="2026-03", points=19, spend_cents=2899, items=[PURCHASE], next_cursor=None)
LATEST = Page[PurchaseView](items=[PURCHASE], next_cursor=CURSOR)
STATEMENTS = Page[StatementSummaryView](
    items=[StatementSummaryView(month="2026-02", payout=Money.eur(529), month_points=2058, status="regular")],
    next_cursor=None,
)
STATEMENT = StatementView(
    month="2026-02",
    carried_in=0,
    base_points=1046,
    mastercard_points=0,
    campaign_points=100,
    reversed_points=0,
    grocery_cents=41_250,
    grocery_bonus_points=412,
    month_points=2058,
    donated_points=1000,
    donated_cents=500,
    donations=[{"charity_id": "unicef", "cents": 500}],  # type: ignore[list-item]
    converted_points=1058,
    payout_cents=529,
    carried_out=0,
    status="regular",
)
CHARITIES = [
    CharityOption(
        charity_id="red-cross",
        name=LocalizedText(fi="Suomen Punainen Risti", sv="Finlands Röda Kors", en="Finnish Red Cross"),
    )
]
