"""Month end on the real MongoDB: exactly once through crashes and reruns, savings, charity, status, expiry."""

import asyncio
import os
import subprocess
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from plussa_points.domain.errors import MonthNotOverError
from plussa_points.events.consumed import PurchaseCompleted
from plussa_points.use_cases import ingest, money
from plussa_points.use_cases.expiry import expire_lots
from plussa_points.use_cases.month_end import close_all
from plussa_points.views import charity_of, savings_of
from plussa_shared.outbox import MORE
from plussa_shared.testing.bus import bus_probe

Start = Callable[..., Awaitable[Any]]
APRIL_2ND = datetime(2026, 4, 2, 6, 0, tzinfo=UTC)
CLOSED, DONATED, PAID = (f"fi.plussa.points.{kind}" for kind in ("statement.closed", "money.donated", "money.paid"))


async def buy(h: Any, card: str, lines: list[tuple[str, int]], **kw: Any) -> None:
    data = PurchaseCompleted.model_validate(h.purchase_data(card, lines, **kw))
    await ingest.record_purchase(h.pts, data)


async def households(h: Any, count: int) -> list[str]:
    ids = []
    for i in range(count):
        household, card = f"h{i:03d}", f"{4000_0000_0000_0000 + i:016d}"
        await h.household(household, f"p{i:03d}", card)
        await buy(h, card, [("grocery", 1000 + i * 100)])  # 10 + i euros -> (10 + i) points -> (10 + i) // 2 cents
        ids.append(household)
    return ids


async def read_models(h: Any, household_ids: list[str]) -> dict[str, dict[str, Any]]:
    """The households' balance documents as the portal reads them (absent fields as their defaults)."""
    docs = await h.db.balance_views.find({"_id": {"$in": household_ids}}).to_list()
    return {
        d["_id"]: {
            "points": d.get("points", 0),
            "status": d.get("status", "regular"),
            "lots": d.get("lots", []),
            "grocery": d.get("grocery", {}),
            "savings": savings_of(d),
            "charity": charity_of(d),
        }
        for d in docs
    }


async def test_a_month_end_killed_halfway_and_run_again_pays_every_household_exactly_once(points: Start) -> None:
    h = await points(month_end_batch_size=4, month_end_concurrency=2)
    ids = await households(h, 30)
    h.clock.now = APRIL_2ND

    async def crash(batch: int) -> None:
        if batch == 3:
            raise RuntimeError("killed")

    with pytest.raises(RuntimeError, match="killed"):
        await close_all(h.pts, "2026-03", after_batch=crash)
    closed_first = await h.db.statements.count_documents({})
    partial = await close_all(h.pts, "2026-03", limit=5)
    rest = await close_all(h.pts, "2026-03")
    again = await close_all(h.pts, "2026-03")

    assert 0 < closed_first < 30
    assert partial.households_closed == 5
    assert closed_first + partial.households_closed + rest.households_closed == 30
    assert again.households_closed == 0
    assert await h.db.statements.count_documents({}) == 30
    assert await h.db.lots.count_documents({}) == 30
    for i, household in enumerate(ids):
        lots = await h.db.lots.find({"household_id": household}).to_list()
        assert [lot["cents"] for lot in lots] == [(10 + i) // 2]
        account = await h.account(household)
        assert account is not None
        assert account["money_cents"] == (10 + i) // 2
        assert account["carry_points"] == (10 + i) % 2


async def test_month_end_leaves_the_balance_read_model_as_a_rewrite_from_the_account_would(points: Start) -> None:
    h = await points(month_end_batch_size=1)
    ids = await households(h, 3)
    await h.lot("h001", "older", 250, datetime(2026, 2, 3, 22, tzinfo=UTC), datetime(2027, 2, 3, 22, tzinfo=UTC))
    april = datetime(2026, 4, 1, 12, tzinfo=UTC)
    h.clock.now = april
    await buy(h, f"{4000_0000_0000_0002:016d}", [("grocery", 5_000)], at=april)  # h002's April stays open
    # An account older than the read model: no balance document yet.
    await h.db.accounts.insert_one({"_id": "h-old", "kind": "household", "points": 40, "last_closed_month": "2026-02"})
    march = {"month": "2026-03", "closed": False, "base_points": 40, "grocery_cents": 4_000, "purchase_cents": 4_000}
    await h.db.household_months.insert_one({"_id": "h-old:2026-03", "household_id": "h-old", **march})
    everyone = [*ids, "h-old"]
    h.clock.now = APRIL_2ND

    report = await close_all(h.pts, "2026-03")

    assert report.households_closed == 4
    written = await read_models(h, everyone)

    async def rewrite(uow: Any) -> None:
        await h.pts.store.ledger.balance.refresh(everyone, uow.session)

    await h.pts.run(rewrite)
    assert written == await read_models(h, everyone)
    assert [lot["lot_id"] for lot in written["h001"]["lots"]] == ["older", "lot:h001:2026-03"]
    assert written["h002"]["grocery"] == {"2026-04": 5_000}
    assert written["h-old"]["points"] == 40 - 40 // 2 * 2  # converted, the odd point carried
    for household in everyone:
        account = await h.account(household)
        assert account is not None
        assert (written[household]["points"], written[household]["status"]) == (account["points"], account["status"])


async def test_a_households_month_end_events_are_one_outbox_record_and_reach_the_bus_one_message_each_in_order(
    points: Start,
) -> None:
    h = await points(month_end_batch_size=2)
    ids = await households(h, 3)
    await h.db.accounts.update_one({"_id": "h001"}, {"$set": {"charity": {"charity_id": None, "max_thousands": 1}}})
    await buy(h, f"{4000_0000_0000_0001:016d}", [("grocery", 200_000)])  # 2,011 points: 2,000 go to charity
    h.clock.now = APRIL_2ND
    async with bus_probe(*h.amqp, "points.#") as probe:
        await close_all(h.pts, "2026-03")
        await probe.wait_for(PAID, count=3)

    records = await h.db.outbox.find({"type": CLOSED}).to_list()
    assert sorted(r["_id"] for r in records) == sorted(e["id"] for e in probe.events if e["type"] == CLOSED)
    assert {r["_id"]: [m["type"] for m in r.get(MORE, [])] for r in records} == {
        next(e["id"] for e in probe.events if e["type"] == CLOSED and e["data"]["household_id"] == hid): kinds
        for hid, kinds in [("h000", [PAID]), ("h001", [DONATED, PAID]), ("h002", [PAID])]
    }
    assert await h.db.outbox.count_documents({"type": {"$in": [DONATED, PAID]}}) == 0  # none of their own
    month_end = [e for e in probe.events if e["type"] in (CLOSED, DONATED, PAID)]  # not the purchase's, if late
    for hid in ids:
        mine = [e for e in month_end if e["subject"] == f"household/{hid}"]
        expected = [CLOSED, DONATED, PAID] if hid == "h001" else [CLOSED, PAID]
        assert [e["type"] for e in mine] == expected
        assert {e["data"]["household_id"] for e in mine} == {hid}
    assert len({e["id"] for e in probe.events}) == len(probe.events)


async def test_month_end_refuses_a_month_that_has_not_ended(points: Start) -> None:
    h = await points()

    with pytest.raises(MonthNotOverError):
        await close_all(h.pts, "2026-03")


async def test_the_month_end_command_closes_the_month_and_a_rerun_closes_nothing(points: Start) -> None:
    h = await points()
    await households(h, 3)
    env = {
        **os.environ,
        "PLUSSA_POINTS_MONGO_URL": str(h.settings.mongo_url),
        "PLUSSA_POINTS_MONGO_DATABASE": h.settings.mongo_database,
        "PLUSSA_POINTS_LOG_LEVEL": "WARNING",
    }
    command = [sys.executable, "-m", "plussa_points.commands.month_end", "--month", "2026-03"]

    first = await asyncio.to_thread(subprocess.run, command, env=env, capture_output=True, text=True, check=False)
    second = await asyncio.to_thread(subprocess.run, command, env=env, capture_output=True, text=True, check=False)

    assert first.returncode == 0, first.stderr
    assert '"households_closed": 3' in first.stdout
    assert '"households_closed": 0' in second.stdout
    assert await h.db.statements.count_documents({"month": "2026-03"}) == 3


async def test_savings_keep_the_payout_from_the_till_until_released(points: Start) -> None:
    h = await points()
    await h.household("h1", "p1", "1111222233334444")
    await buy(h, "1111222233334444", [("grocery", 10_000)])
    main = await h.pts.store.members.member("h1", "p1")
    await money.set_savings(h.pts, main, money.SavingsRequest(True, date(2026, 9, 1)))
    h.clock.now = APRIL_2ND
    await close_all(h.pts, "2026-03")
    h.clock.now = datetime(2026, 4, 10, tzinfo=UTC)
    creds = h.service("points:spend")
    body = {"card_number": "1111222233334444", "amount_cents": 50}

    while_saved = await h.client.post("/v1/till/spends", json={**body, "till_transaction_id": "t1"}, headers=creds)
    await money.set_savings(h.pts, main, money.SavingsRequest(False))
    after_release = await h.client.post("/v1/till/spends", json={**body, "till_transaction_id": "t2"}, headers=creds)

    assert (await while_saved.json())["spent_cents"] == 0
    assert (await after_release.json())["spent_cents"] == 50
    reasons = [e["details"]["action"] for e in await h.db.ledger.find({"reason": "savings"}).to_list()]
    assert reasons == ["released"]


async def test_savings_are_released_on_their_date_by_the_expiry_run(points: Start) -> None:
    h = await points()
    await h.household("h1", "p1", "1111222233334444")
    paid = datetime(2026, 3, 3, 22, 0, tzinfo=UTC)
    await h.lot("h1", "lot-1", 800, paid, paid + timedelta(days=395))
    main = await h.pts.store.members.member("h1", "p1")
    await money.set_savings(h.pts, main, money.SavingsRequest(True, date(2026, 5, 1)))

    before = await expire_lots(h.pts, datetime(2026, 4, 30, 20, 0, tzinfo=UTC))
    on_the_day = await expire_lots(h.pts, datetime(2026, 4, 30, 21, 0, tzinfo=UTC))  # May 1st in Helsinki

    assert before.released_cents == 0
    assert on_the_day.released_cents == 800
    account = await h.account("h1")
    assert account is not None
    assert account["savings"] == {"on": False}
    lot = await h.db.lots.find_one({"_id": "lot-1"})
    assert lot is not None
    assert lot["saved_until"] is None


async def test_a_lot_not_saved_is_stored_without_saved_until_and_the_lots_page_answers_it_as_not_saved(
    points: Start,
) -> None:
    h = await points()
    await households(h, 1)
    h.clock.now = APRIL_2ND
    await close_all(h.pts, "2026-03")

    lot = await h.db.lots.find_one({"household_id": "h000"})
    page = await (await h.client.get("/v1/me/lots", headers=h.customer("p000", "h000"))).json()

    assert lot is not None
    assert "saved_until" not in lot
    assert "saved_cents" not in lot
    assert [(item["lot_id"], item["remaining_cents"], item["saved_until"]) for item in page["items"]] == [
        (lot["_id"], 5, None)
    ]


async def test_charity_takes_whole_thousands_first_and_the_rest_is_paid(points: Start) -> None:
    h = await points()
    await h.household("h1", "p1", "1111222233334444")
    await buy(h, "1111222233334444", [("home", 250_099)])  # 2,500 points
    main = await h.pts.store.members.member("h1", "p1")
    await money.set_charity(h.pts, main, True, None, None)
    h.clock.now = APRIL_2ND

    await close_all(h.pts, "2026-03")

    statement = await h.db.statements.find_one({"_id": "h1:2026-03"})
    assert statement is not None
    assert (statement["donated_points"], statement["donated_cents"], statement["payout_cents"]) == (2_000, 1_000, 250)
    assert statement["donations"] == [
        {"charity_id": "red-cross", "cents": 334},
        {"charity_id": "unicef", "cents": 333},
        {"charity_id": "mll", "cents": 333},
    ]


async def test_best_customer_status_is_recomputed_at_month_end(points: Start) -> None:
    h = await points()
    await h.household("h1", "p1", "1111222233334444")
    await buy(h, "1111222233334444", [("home", 650_001)], at=datetime(2026, 3, 10, tzinfo=UTC))
    h.clock.now = APRIL_2ND

    await close_all(h.pts, "2026-03")

    account = await h.account("h1")
    assert account is not None
    assert account["status"] == "best_customer"


async def test_a_lot_past_its_validity_expires_as_a_ledger_entry(points: Start) -> None:
    h = await points()
    await h.household("h1", "p1", "1111222233334444")
    paid = datetime(2025, 2, 3, 22, 0, tzinfo=UTC)
    await h.lot("h1", "old", 321, paid, datetime(2026, 3, 3, 22, 0, tzinfo=UTC))
    await h.lot("h1", "young", 100, paid + timedelta(days=30), datetime(2026, 4, 3, 21, 0, tzinfo=UTC))

    report = await expire_lots(h.pts, datetime(2026, 3, 10, tzinfo=UTC))

    assert (report.lots_expired, report.expired_cents) == (1, 321)
    assert await h.remaining("h1") == {"old": 0, "young": 100}
    entry = await h.db.ledger.find_one({"reason": "expiry"})
    assert entry is not None
    assert (entry["cents"], entry["reference"]) == (-321, "old")
    account = await h.account("h1")
    assert account is not None
    assert account["money_cents"] == 100


async def test_a_temporary_card_collects_points_that_follow_it_to_the_household_it_is_linked_to(points: Start) -> None:
    h = await points()
    await h.household("h1", "p1", "1111222233334444")
    await h.card("8888777766665555", None, None, kind="temporary")
    await buy(h, "8888777766665555", [("grocery", 3000)])
    h.clock.now = APRIL_2ND
    await close_all(h.pts, "2026-03")
    unpaid = await h.db.lots.count_documents({})

    await h.card("8888777766665555", "h1", "p1", kind="temporary", version=2)
    h.clock.now = datetime(2026, 5, 2, tzinfo=UTC)
    await close_all(h.pts, "2026-04")

    assert unpaid == 0  # h1 had nothing; the unlinked card's account is never paid
    statement = await h.db.statements.find_one({"_id": "h1:2026-04"})
    assert statement is not None
    assert (statement["base_points"], statement["grocery_cents"], statement["payout_cents"]) == (30, 3000, 15)
    purchase = await h.db.purchases.find_one({})
    assert purchase is not None
    assert (purchase["household_id"], purchase["person_id"]) == ("h1", "p1")
    assert await h.db.ledger.count_documents({"reason": "adjustment"}) == 2


async def test_the_next_month_end_counts_only_the_months_after_the_last_closed_one(points: Start) -> None:
    h = await points()
    await households(h, 1)  # h000 buys 10 euros in March
    h.clock.now = APRIL_2ND
    await close_all(h.pts, "2026-03")
    await buy(h, f"{4000_0000_0000_0000:016d}", [("grocery", 2_400)], at=APRIL_2ND)
    h.clock.now = datetime(2026, 5, 2, 6, 0, tzinfo=UTC)

    again = await close_all(h.pts, "2026-04")

    april = await h.db.statements.find_one({"_id": "h000:2026-04"})
    assert again.households_closed == 1
    assert april is not None
    assert (april["months"], april["base_points"], april["grocery_cents"]) == (["2026-04"], 24, 2_400)
    assert [lot["cents"] for lot in await h.db.lots.find({"household_id": "h000"}).sort("paid_at").to_list()] == [5, 12]
    view = await h.db.balance_views.find_one({"_id": "h000"})
    assert view is not None
    assert view["grocery"] == {}
