"""The reads a portal needs, each one call, and the HTTP conventions on points' real
routes: pages, retried POSTs, versions, public reference data, month patterns; every
answer checked against the OpenAPI document. The balance view lists the household's
active members (role and money access), kept in the transaction of every membership
change, so the balance and the month's purchases answer with their access check from
one read."""

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from plussa_points.events.consumed import AccessChanged, HouseholdHandedOver, MemberRemoved, PurchaseCompleted
from plussa_points.store.collections import person_key
from plussa_points.use_cases import cards, ingest, privacy
from plussa_points.use_cases.cards import build_balance_members
from plussa_points.use_cases.month_end import close_all
from plussa_shared.context import UnitOfWork
from plussa_shared.testing.contract import Contract

Start = Callable[..., Awaitable[Any]]
MAIN, PARALLEL = "1111222233334444", "5555666677778888"


async def scene(points: Start) -> Any:
    h = await points()
    await h.household("h1", "p1", MAIN)
    await h.member("h1", "p2", "parallel")
    await h.card(PARALLEL, "h1", "p2", kind="parallel")
    return h


async def buy(h: Any, card: str, lines: list[tuple[str, int]], at: datetime, purchase_id: str) -> None:
    data = h.purchase_data(card, lines, at=at, purchase_id=purchase_id)
    await ingest.record_purchase(h.pts, PurchaseCompleted.model_validate(data))


async def test_the_balance_shows_the_grocery_steps_the_gap_to_the_next_and_the_next_expiry_in_one_call(
    points: Start,
) -> None:
    h = await scene(points)
    await buy(h, MAIN, [("grocery", 36_000), ("alcohol", 5_000)], datetime(2026, 3, 10, tzinfo=UTC), "g-1")
    paid = h.clock.now - timedelta(days=5)
    await h.lot("h1", "lot-old", 300, paid - timedelta(days=30), paid + timedelta(days=100))
    await h.lot("h1", "lot-new", 700, paid, paid + timedelta(days=395))

    resp = await h.client.get("/v1/me/balance", headers=h.customer("p1", "h1"))

    body = await Contract.of(h.client.app).check_response(resp)
    grocery = body["grocery"]
    assert [s["from_spend"]["amount"] for s in grocery["steps"]] == [35_000, 50_000, 70_000, 90_000]
    assert grocery["spend"] == {"amount": 36_000, "currency": "EUR"}
    assert grocery["current_step"]["points_per_euro"] == 1
    assert grocery["gap_to_next_step"] == {"amount": 14_000, "currency": "EUR"}
    assert grocery["projected_bonus_points"] == 360
    assert body["next_expiring"]["amount"] == {"amount": 300, "currency": "EUR"}
    assert body["next_expiring"]["at"] == "2026-06-18T10:00:00Z"
    assert body["spendable"] == {"amount": 1_000, "currency": "EUR"}
    assert body["points"] == 360
    assert resp.headers["Cache-Control"] == "no-store"


async def test_the_latest_purchases_cross_months_and_the_main_holder_sees_the_household_with_whose_card(
    points: Start,
) -> None:
    h = await scene(points)
    await buy(h, MAIN, [("grocery", 1_000)], datetime(2026, 2, 27, tzinfo=UTC), "feb-main")
    await buy(h, PARALLEL, [("grocery", 2_000)], datetime(2026, 3, 1, tzinfo=UTC), "mar-par")
    await buy(h, MAIN, [("grocery", 3_000)], datetime(2026, 3, 2, tzinfo=UTC), "mar-main")
    main, parallel = h.customer("p1", "h1"), h.customer("p2", "h1", "parallel")
    contract = Contract.of(h.client.app)

    mine = await contract.check_response(await h.client.get("/v1/me/purchases/latest?limit=5", headers=main))
    first = await contract.check_response(
        await h.client.get("/v1/me/purchases/latest?limit=2&scope=household", headers=main)
    )
    rest = await h.client.get(
        f"/v1/me/purchases/latest?limit=2&scope=household&cursor={first['next_cursor']}", headers=main
    )
    theirs = await h.client.get("/v1/me/purchases/latest?scope=household", headers=parallel)
    too_many = await h.client.get("/v1/me/purchases/latest?limit=101", headers=main)

    assert [p["purchase_id"] for p in mine["items"]] == ["mar-main", "feb-main"]
    assert [(p["purchase_id"], p["person_id"], p["mine"]) for p in first["items"]] == [
        ("mar-main", "p1", True),
        ("mar-par", "p2", False),
    ]
    assert [p["purchase_id"] for p in (await rest.json())["items"]] == ["feb-main"]
    assert (await rest.json())["next_cursor"] is None
    assert theirs.status == 403
    assert too_many.status == 422


async def test_the_statements_list_pages_through_the_closed_months_and_a_month_is_checked_by_its_pattern(
    points: Start,
) -> None:
    h = await scene(points)
    for n, month in enumerate(("2026-01", "2026-02", "2026-03")):
        await buy(h, MAIN, [("grocery", 1_000)], datetime(2026, n + 1, 10, tzinfo=UTC), f"buy-{month}")
    h.clock.now = datetime(2026, 4, 2, tzinfo=UTC)
    for month in ("2026-01", "2026-02", "2026-03"):
        await close_all(h.pts, month)
    main = h.customer("p1", "h1")
    contract = Contract.of(h.client.app)

    page = await contract.check_response(await h.client.get("/v1/me/statements?limit=2", headers=main))
    last = await h.client.get(f"/v1/me/statements?limit=2&cursor={page['next_cursor']}", headers=main)
    bad_path = await h.client.get("/v1/me/statements/2026-13", headers=main)
    bad_query = await h.client.get("/v1/me/purchases?month=2026-1", headers=main)
    parallel = await h.client.get("/v1/me/statements", headers=h.customer("p2", "h1", "parallel"))

    assert [s["month"] for s in page["items"]] == ["2026-03", "2026-02"]
    assert [s["month"] for s in (await last.json())["items"]] == ["2026-01"]
    assert bad_path.status == 422
    assert (await bad_path.json())["errors"][0]["parameter"] == "month"
    assert bad_query.status == 422
    assert parallel.status == 403
    assert "pattern" in contract.operation("GET", "/v1/me/statements/2026-03")["parameters"][0]["schema"]


async def test_a_retried_purchase_post_gets_the_first_answer_and_another_body_under_the_key_is_refused(
    points: Start,
) -> None:
    h = await scene(points)
    headers = {**h.service("points:ingest"), "Idempotency-Key": "k-1"}
    body = h.purchase_data(MAIN, [("grocery", 1_500)], purchase_id="idem-1")

    first = await h.client.post("/v1/purchases", json=body, headers=headers)
    retry = await h.client.post("/v1/purchases", json=body, headers=headers)
    other = await h.client.post("/v1/purchases", json={**body, "purchase_id": "idem-2"}, headers=headers)
    read_back = await h.client.get(first.headers["Location"], headers=h.service("points:ingest"))

    assert first.status == 201
    assert first.headers["Location"] == "/v1/purchases/idem-1"
    assert (retry.status, retry.headers.get("Idempotent-Replayed")) == (201, "true")
    assert await retry.json() == await first.json()
    assert other.status == 422
    assert (await other.json())["type"].endswith("/idempotency-key-reused")
    assert (await read_back.json())["points"] == 15
    assert await h.db.ledger.count_documents({"reference": {"$in": ["idem-1", "idem-2"]}}) == 1


async def test_a_stale_if_match_on_charity_changes_nothing_and_a_current_one_goes_ahead(points: Start) -> None:
    h = await scene(points)
    me = h.customer("p1", "h1")
    first = await h.client.put("/v1/me/charity", json={"on": True, "charity_id": "unicef"}, headers=me)
    tag = first.headers["ETag"]

    unchanged = await h.client.get("/v1/me/charity", headers={**me, "If-None-Match": tag})
    stale = await h.client.put("/v1/me/charity", json={"on": False}, headers={**me, "If-Match": '"0"'})
    after_stale = await (await h.client.get("/v1/me/charity", headers=me)).json()
    current = await h.client.put("/v1/me/charity", json={"on": False}, headers={**me, "If-Match": tag})

    assert tag == '"1"'
    assert unchanged.status == 304
    assert stale.status == 412
    assert (after_stale["on"], after_stale["charity_id"]) == (True, "unicef")
    assert current.status == 200
    assert current.headers["ETag"] == '"2"'


async def test_charities_are_public_reference_data_in_three_languages(points: Start) -> None:
    h = await points()

    resp = await h.client.get("/v1/charities")

    body = await Contract.of(h.client.app).check_response(resp)
    assert resp.headers["Cache-Control"] == "public, max-age=3600"
    assert resp.headers["Content-Language"] == "fi, sv, en"
    assert body["items"][0]["name"] == {
        "fi": "Suomen Punainen Risti",
        "sv": "Finlands Röda Kors",
        "en": "Finnish Red Cross",
    }


async def test_lots_and_money_use_page_through_more_than_a_page(points: Start) -> None:
    h = await scene(points)
    paid = h.clock.now - timedelta(days=40)
    for n in range(3):
        await h.lot("h1", f"lot-{n}", 100, paid + timedelta(days=n), paid + timedelta(days=395))
    me = h.customer("p1", "h1")
    for n in range(3):
        await h.client.post(
            "/v1/till/spends",
            json={"till_transaction_id": f"t-{n}", "card_number": MAIN, "amount_cents": 10},
            headers=h.service("points:spend"),
        )

    lots = await (await h.client.get("/v1/me/lots?limit=2", headers=me)).json()
    more = await (await h.client.get(f"/v1/me/lots?limit=2&cursor={lots['next_cursor']}", headers=me)).json()
    use = await (await h.client.get("/v1/me/money-use?limit=2", headers=me)).json()
    rest = await (await h.client.get(f"/v1/me/money-use?limit=2&cursor={use['next_cursor']}", headers=me)).json()

    assert [lot["lot_id"] for lot in lots["items"] + more["items"]] == ["lot-0", "lot-1", "lot-2"]
    assert [u["reference"] for u in use["items"] + rest["items"]] == ["t-2", "t-1", "t-0"]
    assert rest["next_cursor"] is None


async def month_scene(points: Start) -> Any:
    """The household with four purchases in March, three on the main card."""
    h = await scene(points)
    for i, card in enumerate((MAIN, PARALLEL, MAIN, MAIN)):
        await buy(h, card, [("grocery", 1_000 * (i + 1))], datetime(2026, 3, 1 + i, tzinfo=UTC), f"buy-{i}")
    return h


async def listed(h: Any, household_id: str = "h1") -> dict[str, Any]:
    """The list of the household's view, checked against the members projection."""
    view = await h.db.balance_views.find_one({"_id": household_id})
    active = await h.db.members.find({"household_id": household_id, "active": True}).to_list()
    expected = {
        person_key(m["person_id"]): {
            "person_id": m["person_id"],
            "role": m["role"],
            "can_use_money": m["can_use_money"],
        }
        for m in active
    }
    assert view["members"] == expected
    return {e["person_id"]: (e["role"], e["can_use_money"]) for e in expected.values()}


async def statuses(h: Any, person_id: str, role: str = "parallel") -> tuple[int, int]:
    who = h.customer(person_id, "h1", role)
    balance = await h.client.get("/v1/me/balance", headers=who)
    purchases = await h.client.get("/v1/me/purchases?month=2026-03", headers=who)
    return balance.status, purchases.status


async def test_every_membership_change_rewrites_the_list_and_the_answers_follow_it(points: Start) -> None:
    h = await month_scene(points)
    at = h.clock()
    assert await listed(h) == {"p1": ("main", False), "p2": ("parallel", False)}
    assert await statuses(h, "p2") == (403, 200)

    await cards.access_changed(h.pts, AccessChanged(household_id="h1", person_id="p2", can_use_money=True), at)
    assert (await listed(h))["p2"] == ("parallel", True)
    assert await statuses(h, "p2") == (200, 200)

    handed = HouseholdHandedOver(household_id="h1", previous_main_person_id="p1", main_person_id="p2")
    await cards.handed_over(h.pts, handed, at)
    assert await listed(h) == {"p1": ("parallel", True), "p2": ("main", True)}

    await cards.member_removed(h.pts, MemberRemoved(household_id="h1", person_id="p1"), at)
    assert await listed(h) == {"p2": ("main", True)}
    assert await statuses(h, "p1") == (404, 404)

    await privacy.erase(h.pts, "p2")
    assert await listed(h) == {}
    assert await statuses(h, "p2", "main") == (404, 404)


async def test_a_membership_change_that_fails_leaves_the_list_as_it_was(points: Start) -> None:
    h = await month_scene(points)
    before = await listed(h)

    async def remove_then_fail(uow: UnitOfWork) -> None:
        await h.pts.store.members.remove_member("h1", "p2", h.clock(), uow.session)
        raise RuntimeError("the rest of the work failed")

    with pytest.raises(RuntimeError):
        await h.pts.run(remove_then_fail)

    assert await listed(h) == before
    assert await statuses(h, "p2") == (403, 200)


async def test_the_months_purchases_page_with_the_totals_from_one_read(points: Start) -> None:
    h = await month_scene(points)
    main = h.customer("p1", "h1")

    first = await (await h.client.get("/v1/me/purchases?month=2026-03&limit=2", headers=main)).json()
    rest = await (
        await h.client.get(f"/v1/me/purchases?month=2026-03&limit=2&cursor={first['next_cursor']}", headers=main)
    ).json()

    assert [p["purchase_id"] for p in first["items"]] == ["buy-3", "buy-2"]
    assert [p["purchase_id"] for p in rest["items"]] == ["buy-0"]
    assert rest["next_cursor"] is None
    assert first["spend_cents"] == rest["spend_cents"] == 8_000
    assert all(p["mine"] for p in first["items"] + rest["items"])


async def test_views_that_do_not_list_their_members_answer_the_same_until_the_command_fills_them(
    points: Start,
) -> None:
    h = await month_scene(points)
    await cards.access_changed(h.pts, AccessChanged(household_id="h1", person_id="p2", can_use_money=True), h.clock())
    urls = ("/v1/me/balance", "/v1/me/purchases?month=2026-03&limit=1", "/v1/me/purchases?month=2026-03")
    people = (h.customer("p1", "h1"), h.customer("p2", "h1", "parallel"), h.customer("nobody", "h1"))

    async def answers() -> list[tuple[int, Any]]:
        found = []
        for who in people:
            for url in urls:
                resp = await h.client.get(url, headers=who)
                found.append((resp.status, await resp.json()))
        return found

    before = await answers()
    await h.db.balance_views.update_many({}, {"$unset": {"members": ""}})
    assert await answers() == before
    await h.db.balance_views.delete_many({})
    assert [status for status, _ in await answers()] == [status for status, _ in before]

    assert await build_balance_members(h.pts) == 1
    await listed(h)
    assert [status for status, _ in await answers()] == [status for status, _ in before]
    assert [s for s, _ in before] == [200, 200, 200, 200, 200, 200, 404, 404, 404]
