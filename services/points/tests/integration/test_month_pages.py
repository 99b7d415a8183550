"""The month's first page of purchases answered from one document (``month_pages``): the
same answer as the aggregation over the purchases, kept in the transaction of every
purchase, return, card move and membership change."""

import asyncio
import contextvars
import json
from collections.abc import Awaitable, Callable, Coroutine
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from pydantic import TypeAdapter

from plussa_points import views
from plussa_points.answers import MonthPurchasesView
from plussa_points.events.consumed import CampaignPointsGranted, MemberRemoved, PurchaseCompleted, PurchaseReturned
from plussa_points.use_cases import cards, ingest, privacy, returns

Start = Callable[..., Awaitable[Any]]
MAIN, PARALLEL, LOOSE = "1111222233334444", "5555666677778888", "9999000011112222"
SIZE = 3
_ANSWER = TypeAdapter(MonthPurchasesView)


async def scene(points: Start) -> Any:
    h = await points(page_limit_default=SIZE)
    h.clock.now = datetime(2026, 3, 28, tzinfo=UTC)
    await h.household("h1", "p1", MAIN)
    await h.member("h1", "p2", "parallel")
    await h.card(PARALLEL, "h1", "p2", kind="parallel")
    return h


async def buy(h: Any, card: str, cents: int, at: datetime, purchase_id: str) -> None:
    lines = [("grocery", cents), ("alcohol", 500)]
    data = h.purchase_data(card, lines, at=at, purchase_id=purchase_id)
    await ingest.record_purchase(h.pts, PurchaseCompleted.model_validate(data))


async def give_back(h: Any, return_id: str, purchase_id: str, line_id: str, at: datetime) -> None:
    back = {
        "return_id": return_id,
        "purchase_id": purchase_id,
        "occurred_at": at.isoformat(),
        "lines": [{"line_id": line_id, "quantity": 1, "amount_cents": 500 if line_id == "2" else 1_000}],
    }
    await returns.record_return(h.pts, PurchaseReturned.model_validate(back))


def march(day: int, hour: int = 12) -> datetime:
    return datetime(2026, 3, day, hour, tzinfo=UTC)


class Aggregations:
    """Counts the reads that took the slow path."""

    def __init__(self, h: Any, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        slow = h.pts.store.views.month_purchases

        async def counted(*args: Any, **kwargs: Any) -> Any:
            self.count += 1
            return await slow(*args, **kwargs)

        monkeypatch.setattr(h.pts.store.views, "month_purchases", counted)


class CommitDuring:
    """A store read that, the first time it is called, commits ``change`` in a transaction
    of its own (not joined to the caller's) once the caller's snapshot is taken; counts
    the calls, so a test sees the caller's transaction run again."""

    def __init__(self, read: Callable[..., Awaitable[Any]], change: Callable[[], Coroutine[Any, Any, Any]]) -> None:
        self.read = read
        self.change = change
        self.attempts = 0

    async def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.attempts += 1
        found = await self.read(*args, **kwargs)
        if self.attempts == 1:
            await asyncio.create_task(self.change(), context=contextvars.Context())
        return found


async def fast_and_slow(
    h: Any, person_id: str, month: str = "2026-03", limit: int = SIZE, role: str = "main"
) -> tuple[bytes, bytes]:
    """The route's answer (the one-document path) and the aggregation's, as bytes."""
    resp = await h.client.get(
        f"/v1/me/purchases?month={month}&limit={limit}", headers=h.customer(person_id, "h1", role)
    )
    assert resp.status == 200, await resp.text()
    slow = await views.month_purchases(h.pts, person_id, "h1", month, limit, None)
    return await resp.read(), _ANSWER.dump_json(slow)


async def assert_same(h: Any, person_id: str, month: str = "2026-03", role: str = "main") -> dict[str, Any]:
    for limit in range(1, SIZE + 1):
        fast, slow = await fast_and_slow(h, person_id, month, limit, role)
        assert json.loads(fast) == json.loads(slow)
        assert fast == slow
    answer: dict[str, Any] = json.loads(fast)
    return answer


async def test_the_first_page_comes_from_one_document_equal_to_the_aggregation_whatever_the_order_of_purchases(
    points: Start, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = await scene(points)
    for day, pid in ((5, "b"), (2, "a"), (9, "d"), (7, "c"), (1, "z"), (9, "e")):
        await buy(h, MAIN, 1_000 * day, march(day), pid)
    slow = Aggregations(h, monkeypatch)

    resp = await h.client.get("/v1/me/purchases?month=2026-03", headers=h.customer("p1", "h1"))
    answer = await resp.json()

    assert slow.count == 0
    assert [p["purchase_id"] for p in answer["items"]] == ["e", "d", "c"]
    assert answer["next_cursor"] is not None
    page = await h.db.month_pages.find_one({"person_id": "p1", "month": "2026-03"})
    assert [i["id"] for i in page["items"]] == ["e", "d", "c", "b"]
    assert await assert_same(h, "p1") == answer


async def test_the_cursor_of_the_first_page_continues_exactly_on_the_slow_path(
    points: Start, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = await scene(points)
    for n in range(7):
        await buy(h, MAIN, 1_000, march(3 + n % 3, 10 + n), f"buy-{n}")
    slow = Aggregations(h, monkeypatch)
    me = h.customer("p1", "h1")

    first = await (await h.client.get("/v1/me/purchases?month=2026-03", headers=me)).json()
    assert slow.count == 0
    second = await (
        await h.client.get(f"/v1/me/purchases?month=2026-03&cursor={first['next_cursor']}", headers=me)
    ).json()
    third = await (
        await h.client.get(f"/v1/me/purchases?month=2026-03&cursor={second['next_cursor']}", headers=me)
    ).json()

    assert slow.count == 2
    ids = [p["purchase_id"] for page in (first, second, third) for p in page["items"]]
    newest_first = sorted(range(7), key=lambda n: (3 + n % 3, 10 + n), reverse=True)
    assert ids == [f"buy-{n}" for n in newest_first]
    assert third["next_cursor"] is None


async def test_a_purchase_older_than_a_full_page_moves_only_the_totals(points: Start) -> None:
    h = await scene(points)
    for day in (10, 11, 12, 13):
        await buy(h, MAIN, 1_000, march(day), f"buy-{day}")

    await buy(h, MAIN, 7_000, march(1), "old")

    page = await h.db.month_pages.find_one({"person_id": "p1", "month": "2026-03"})
    assert [i["id"] for i in page["items"]] == ["buy-13", "buy-12", "buy-11", "buy-10"]
    answer = await assert_same(h, "p1")
    assert answer["spend_cents"] == 4 * 1_500 + 7_500


async def test_returns_on_and_off_the_page_change_its_items_and_totals_as_the_aggregation_shows(points: Start) -> None:
    h = await scene(points)
    for day in (2, 10, 11, 12, 13):
        await buy(h, MAIN, 2_000, march(day), f"buy-{day}")
    before = await assert_same(h, "p1")

    await give_back(h, "ret-on", "buy-12", "1", march(14))
    await give_back(h, "ret-off", "buy-2", "1", march(14))

    after = await assert_same(h, "p1")
    returned = next(p for p in after["items"] if p["purchase_id"] == "buy-12")
    assert returned["points_reversed"] > 0
    assert returned["lines"][0]["returned_quantity"] == 1
    assert after["points"] < before["points"]


async def test_campaign_points_move_the_pages_totals_as_the_aggregation_shows(points: Start) -> None:
    h = await scene(points)
    await buy(h, PARALLEL, 2_000, march(4), "parallel-1")
    before = await assert_same(h, "p2", role="parallel")
    grant = {"grant_id": "g-1", "household_id": "h1", "person_id": "p2", "offer_id": "o-1", "points": 150}

    await returns.record_campaign_points(h.pts, CampaignPointsGranted(**grant, occurred_at=march(5)))

    after = await assert_same(h, "p2", role="parallel")
    assert after["points"] == before["points"] + 150


async def test_a_purchase_in_the_next_month_starts_a_new_page_and_leaves_the_old_one(points: Start) -> None:
    h = await scene(points)
    await buy(h, MAIN, 1_000, march(20), "mar")
    old = await h.db.month_pages.find_one({"person_id": "p1", "month": "2026-03"})
    h.clock.now = datetime(2026, 4, 2, tzinfo=UTC)

    await buy(h, MAIN, 2_000, datetime(2026, 4, 1, 12, tzinfo=UTC), "apr")

    assert await h.db.month_pages.find_one({"_id": old["_id"]}) == old
    april = await assert_same(h, "p1", "2026-04")
    assert [p["purchase_id"] for p in april["items"]] == ["apr"]
    assert [p["purchase_id"] for p in (await assert_same(h, "p1"))["items"]] == ["mar"]


async def test_purchases_of_one_batch_timed_to_the_microsecond_in_another_zone_show_as_the_aggregation_reads_them(
    points: Start,
) -> None:
    h = await scene(points)
    helsinki = timezone(timedelta(hours=2))
    times = [datetime(2026, 3, 4, 14, 30, 15, 123_456 + n, tzinfo=helsinki) for n in (0, 999, 1_000)]
    batch = [
        PurchaseCompleted.model_validate(h.purchase_data(card, [("grocery", 1_500)], at=at, purchase_id=pid))
        for card, at, pid in ((MAIN, times[0], "a"), (PARALLEL, times[1], "b"), (MAIN, times[2], "c"))
    ]

    await ingest.record_purchases(h.pts, batch)

    mine = await assert_same(h, "p1")
    theirs = await assert_same(h, "p2", role="parallel")
    assert [p["purchase_id"] for p in mine["items"]] == ["c", "a"]
    assert [p["occurred_at"] for p in mine["items"]] == ["2026-03-04T12:30:15.124000Z", "2026-03-04T12:30:15.123000Z"]
    assert [p["occurred_at"] for p in theirs["items"]] == ["2026-03-04T12:30:15.124000Z"]


async def test_each_person_of_the_household_sees_only_their_own_page(points: Start) -> None:
    h = await scene(points)
    await buy(h, MAIN, 1_000, march(3), "main-1")
    await buy(h, PARALLEL, 2_000, march(4), "parallel-1")
    await buy(h, MAIN, 3_000, march(5), "main-2")

    mine = await assert_same(h, "p1")
    theirs = await assert_same(h, "p2", role="parallel")

    assert [p["purchase_id"] for p in mine["items"]] == ["main-2", "main-1"]
    assert [p["purchase_id"] for p in theirs["items"]] == ["parallel-1"]
    assert theirs["spend_cents"] == 2_500


async def test_the_page_follows_the_households_members(points: Start, monkeypatch: pytest.MonkeyPatch) -> None:
    h = await scene(points)
    await buy(h, MAIN, 1_000, march(3), "main-1")
    await buy(h, PARALLEL, 2_000, march(4), "parallel-1")
    slow = Aggregations(h, monkeypatch)

    await h.member("h1", "p3", "parallel")
    await h.card(LOOSE, "h1", "p3", kind="parallel")
    await cards.member_removed(h.pts, MemberRemoved(household_id="h1", person_id="p2"), h.clock())
    await buy(h, LOOSE, 3_000, march(5), "newcomer-1")

    removed = await h.client.get("/v1/me/purchases?month=2026-03", headers=h.customer("p2", "h1", "parallel"))
    newcomer = await h.client.get("/v1/me/purchases?month=2026-03", headers=h.customer("p3", "h1", "parallel"))
    main = await h.client.get("/v1/me/purchases?month=2026-03", headers=h.customer("p1", "h1"))

    assert slow.count == 0
    assert removed.status == 404
    assert [p["purchase_id"] for p in (await newcomer.json())["items"]] == ["newcomer-1"]
    assert [p["purchase_id"] for p in (await main.json())["items"]] == ["main-1"]
    pages = await h.db.month_pages.find({"household_id": "h1"}).to_list()
    assert {d["person_id"] for d in pages} == {"p1", "p2", "p3"}
    assert all(set(d["members"]) == {"p1", "p3"} for d in pages)


async def test_bad_input_and_another_households_id_answer_as_before(points: Start) -> None:
    h = await scene(points)
    await buy(h, MAIN, 1_000, march(3), "main-1")
    await h.household("h2", "q1", LOOSE)

    invalid = await h.client.get("/v1/me/purchases?month=2026-13", headers=h.customer("p1", "h1"))
    other = await h.client.get("/v1/me/purchases?month=2026-03", headers=h.customer("p1", "h2"))
    stranger = await h.client.get("/v1/me/purchases?month=2026-03", headers=h.customer("q1", "h1"))

    assert invalid.status == 422
    assert other.status == 404
    assert stranger.status == 404


async def test_a_cursor_a_larger_limit_or_a_missing_page_take_the_slow_path_with_the_same_answer(
    points: Start, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = await scene(points)
    for day in (2, 3, 4, 5, 6):
        await buy(h, MAIN, 1_000, march(day), f"buy-{day}")
    me = h.customer("p1", "h1")
    fast = await (await h.client.get("/v1/me/purchases?month=2026-03", headers=me)).json()
    slow = Aggregations(h, monkeypatch)

    larger = await (await h.client.get(f"/v1/me/purchases?month=2026-03&limit={SIZE + 1}", headers=me)).json()
    await h.db.month_pages.delete_many({})
    missing = await (await h.client.get("/v1/me/purchases?month=2026-03", headers=me)).json()

    assert slow.count == 2
    assert missing == fast
    assert await h.db.month_pages.count_documents({"person_id": "p1", "month": "2026-03"}) == 1
    assert len(larger["items"]) == SIZE + 1


async def test_an_unlinked_cards_purchases_join_the_holders_page_when_the_card_joins(points: Start) -> None:
    h = await scene(points)
    await buy(h, MAIN, 1_000, march(3), "main-1")
    await h.card(LOOSE, None, None, kind="main")
    await buy(h, LOOSE, 4_000, march(4), "loose-1")

    await h.card(LOOSE, "h1", "p1", kind="parallel", version=2)

    answer = await assert_same(h, "p1")
    assert [p["purchase_id"] for p in answer["items"]] == ["loose-1", "main-1"]


async def test_erasure_drops_the_persons_pages(points: Start) -> None:
    h = await scene(points)
    await buy(h, PARALLEL, 2_000, march(4), "parallel-1")

    await privacy.erase(h.pts, "p2")

    assert await h.db.month_pages.count_documents({"person_id": "p2"}) == 0


async def test_a_membership_change_committed_during_a_purchase_makes_the_purchase_retry_and_list_it(
    points: Start, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = await scene(points)
    reads = CommitDuring(
        h.pts.store.purchases.reads,
        lambda: cards.member_removed(h.pts, MemberRemoved(household_id="h1", person_id="p2"), h.clock()),
    )
    monkeypatch.setattr(h.pts.store.purchases, "reads", reads)

    await buy(h, MAIN, 1_000, march(3), "main-1")

    assert reads.attempts == 2
    page = await h.db.month_pages.find_one({"person_id": "p1", "month": "2026-03"})
    assert set(page["members"]) == {"p1"}


def april(day: int, hour: int = 12) -> datetime:
    return datetime(2026, 4, day, hour, tzinfo=UTC)


async def test_the_first_read_of_a_month_with_no_page_builds_it_and_later_reads_and_writes_use_it(
    points: Start, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = await scene(points)
    await buy(h, MAIN, 1_000, march(20), "mar")
    h.clock.now = april(2)
    slow = Aggregations(h, monkeypatch)
    me = h.customer("p1", "h1")

    first = await (await h.client.get("/v1/me/purchases", headers=me)).json()
    page = await h.db.month_pages.find_one({"person_id": "p1", "month": "2026-04"})
    second = await (await h.client.get("/v1/me/purchases", headers=me)).json()

    assert slow.count == 1
    assert first == second == {"items": [], "next_cursor": None, "month": "2026-04", "points": 0, "spend_cents": 0}
    assert (page["items"], page["points"], page["spend_cents"], set(page["members"])) == ([], 0, 0, {"p1", "p2"})
    grant = {"grant_id": "g-apr", "household_id": "h1", "person_id": "p1", "offer_id": "o-1", "points": 150}
    await returns.record_campaign_points(h.pts, CampaignPointsGranted(**grant, occurred_at=april(2)))
    await buy(h, MAIN, 2_000, april(2, 8), "apr")
    third = await (await h.client.get("/v1/me/purchases", headers=me)).json()

    assert slow.count == 1
    assert [p["purchase_id"] for p in third["items"]] == ["apr"]
    assert third["points"] > 150
    assert await assert_same(h, "p1", "2026-04") == third


async def test_a_read_builds_no_page_for_a_stranger_nor_for_a_month_before_the_last_or_to_come(
    points: Start, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = await scene(points)
    await h.household("h2", "q1", LOOSE)
    h.clock.now = april(2)
    slow = Aggregations(h, monkeypatch)
    me = h.customer("p1", "h1")

    stranger = await h.client.get("/v1/me/purchases", headers=h.customer("q1", "h1"))
    old = await h.client.get("/v1/me/purchases?month=2026-02", headers=me)
    coming = await h.client.get("/v1/me/purchases?month=2026-05", headers=me)
    last = await h.client.get("/v1/me/purchases?month=2026-03", headers=me)

    assert (stranger.status, old.status, coming.status, last.status) == (404, 200, 200, 200)
    assert slow.count == 4
    built = await h.db.month_pages.find({}, {"person_id": 1, "month": 1}).to_list()
    assert [(d["person_id"], d["month"]) for d in built] == [("p1", "2026-03")]


async def test_campaign_points_committed_while_a_page_is_built_make_the_build_run_again_and_count_them(
    points: Start, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = await scene(points)
    h.clock.now = april(2)
    await buy(h, MAIN, 1_000, april(1, 8), "apr")
    await h.db.month_pages.delete_many({})
    grant = {"grant_id": "g-1", "household_id": "h1", "person_id": "p1", "offer_id": "o-1", "points": 150}
    totals = CommitDuring(
        h.pts.store.pages._totals,
        lambda: returns.record_campaign_points(h.pts, CampaignPointsGranted(**grant, occurred_at=april(2))),
    )
    monkeypatch.setattr(h.pts.store.pages, "_totals", totals)

    before = await (await h.client.get("/v1/me/purchases", headers=h.customer("p1", "h1"))).json()

    assert totals.attempts == 2
    page = await h.db.month_pages.find_one({"person_id": "p1", "month": "2026-04"})
    assert page["points"] == before["points"] + 150
    assert (await assert_same(h, "p1", "2026-04"))["points"] == page["points"]
