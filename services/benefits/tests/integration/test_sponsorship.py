from datetime import timedelta

import pytest

from plussa_benefits.commands import close_month
from plussa_benefits.domain.errors import MonthClosedError
from plussa_benefits.use_cases import sponsorship

from .conftest import Harness

PROBLEMS = "https://api.plussa.fi/problems/"
PROGRAMME = {
    "causes": [
        {"cause_id": "kallio-scouts", "name": {"fi": "Kallion partio", "sv": "Kallio scouter", "en": "Kallio scouts"}},
        {"cause_id": "kallio-fc", "name": {"fi": "Kallion FC", "sv": "Kallio FC", "en": "Kallio FC"}},
    ]
}


async def _programme(harness: Harness, store_id: str = "store-1") -> None:
    answer = await harness.client.put(
        f"/v1/stores/{store_id}/sponsorship", json=PROGRAMME, headers=harness.store(store_id)
    )
    assert answer.status == 200, await answer.text()
    assert (await answer.json())["share_basis_points"] == 100


async def test_a_customer_joins_a_cause_and_sees_what_their_purchases_raised(harness: Harness) -> None:
    await harness.person("aino", language="sv")
    await _programme(harness)
    await harness.buy("aino", "before", ("grocery", 10_000))

    programme = await harness.client.get(
        "/v1/stores/store-1/sponsorship", headers=harness.customer("aino", **{"Accept-Language": "sv"})
    )
    joined = await harness.client.put(
        "/v1/me/sponsorships/store-1", json={"cause_id": "kallio-scouts"}, headers=harness.customer("aino")
    )
    harness.clock.now += timedelta(minutes=1)
    await harness.buy("aino", "after", ("grocery", 25_000), ("alcohol", 5_000))
    await harness.buy("aino", "elsewhere", ("grocery", 25_000), store_id="store-2")
    mine = await harness.client.get("/v1/me/sponsorships", headers=harness.customer("aino"))

    assert (await programme.json())["causes"][0]["name"] == "Kallio scouter"
    assert joined.status == 200, await joined.text()
    assert (await mine.json())["items"] == [
        {
            "store_id": "store-1",
            "cause_id": "kallio-scouts",
            "joined_at": (await joined.json())["joined_at"],
            "raised": [{"cause_id": "kallio-scouts", "cents": 250, "currency": "EUR"}],
        }
    ]


async def test_the_store_sees_its_month_totals_and_a_month_closes_once(harness: Harness) -> None:
    await harness.person("aino")
    await harness.person("eero", role="parallel")
    await _programme(harness)
    await sponsorship.join_cause(harness.ctx, "aino", "store-1", "kallio-scouts")
    await sponsorship.join_cause(harness.ctx, "eero", "store-1", "kallio-fc")
    harness.clock.now += timedelta(minutes=1)
    await harness.buy("aino", "a1", ("grocery", 10_000))
    await harness.buy("eero", "e1", ("grocery", 30_000))

    months = await harness.client.get("/v1/stores/store-1/sponsorship/months", headers=harness.store("store-1"))
    harness.clock.now += timedelta(days=20)
    closed = await sponsorship.close_month(harness.ctx, "store-1", "2026-03")
    again = await harness.client.get("/v1/stores/store-1/sponsorship/months", headers=harness.store("store-1"))

    [march] = (await months.json())["items"]
    assert (march["month"], march["total_cents"], march["closed"]) == ("2026-03", 400, False)
    assert {c["cause_id"]: c["cents"] for c in march["causes"]} == {"kallio-scouts": 100, "kallio-fc": 300}
    assert closed.closed_at is not None
    assert (await again.json())["items"][0]["closed"] is True
    assert await harness.count("outbox", {"type": "fi.plussa.benefits.sponsorship.month_closed"}) == 1


async def test_closing_a_month_twice_is_a_conflict(harness: Harness) -> None:
    harness.clock.now += timedelta(days=20)
    await sponsorship.close_month(harness.ctx, "store-1", "2026-03")

    with pytest.raises(MonthClosedError):
        await sponsorship.close_month(harness.ctx, "store-1", "2026-03")
    assert await harness.count("outbox", {"type": "fi.plussa.benefits.sponsorship.month_closed"}) == 1


async def test_switching_and_leaving_move_and_stop_the_share(harness: Harness) -> None:
    await harness.person("aino")
    await _programme(harness)
    await sponsorship.join_cause(harness.ctx, "aino", "store-1", "kallio-scouts")
    harness.clock.now += timedelta(minutes=1)
    await harness.buy("aino", "a1", ("grocery", 10_000))

    switched = await harness.client.put(
        "/v1/me/sponsorships/store-1", json={"cause_id": "kallio-fc"}, headers=harness.customer("aino")
    )
    harness.clock.now += timedelta(minutes=1)
    await harness.buy("aino", "a2", ("grocery", 20_000))
    left = await harness.client.delete("/v1/me/sponsorships/store-1", headers=harness.customer("aino"))
    await harness.buy("aino", "a3", ("grocery", 90_000))

    assert switched.status == 200
    assert left.status == 204
    assert {r["cause_id"]: r["cents"] for r in (await switched.json())["raised"]} == {"kallio-scouts": 100}
    mine = (await (await harness.client.get("/v1/me/sponsorships", headers=harness.customer("aino"))).json())["items"]
    assert mine[0]["cause_id"] is None
    assert {r["cause_id"]: r["cents"] for r in mine[0]["raised"]} == {"kallio-scouts": 100, "kallio-fc": 200}
    assert await harness.count("outbox", {"type": "fi.plussa.benefits.sponsorship.switched"}) == 1
    assert await harness.count("outbox", {"type": "fi.plussa.benefits.sponsorship.left"}) == 1


async def test_joining_in_a_store_without_a_programme_is_not_found(harness: Harness) -> None:
    answer = await harness.client.put(
        "/v1/me/sponsorships/store-9", json={"cause_id": "kallio-scouts"}, headers=harness.customer("aino")
    )

    assert answer.status == 404
    assert (await answer.json())["type"] == PROBLEMS + "sponsorship-not-found"
    assert await harness.count("memberships") == 0


async def test_joining_a_cause_that_does_not_exist_is_refused(harness: Harness) -> None:
    await _programme(harness)

    answer = await harness.client.put(
        "/v1/me/sponsorships/store-1", json={"cause_id": "chess-club"}, headers=harness.customer("aino")
    )

    assert answer.status == 422
    assert (await answer.json())["type"] == PROBLEMS + "unknown-cause"
    assert await harness.count("memberships") == 0
    assert await harness.count("outbox", {"type": "fi.plussa.benefits.sponsorship.joined"}) == 0


async def test_a_store_credential_cannot_read_or_run_another_stores_sponsorship(harness: Harness) -> None:
    await _programme(harness, "store-1")

    read = await harness.client.get("/v1/stores/store-1/sponsorship/months", headers=harness.store("store-2"))
    run = await harness.client.put("/v1/stores/store-1/sponsorship", json=PROGRAMME, headers=harness.store("store-2"))
    customer = await harness.client.get("/v1/stores/store-1/sponsorship/months", headers=harness.customer("aino"))

    assert read.status == 403
    assert (await read.json())["type"] == PROBLEMS + "other-store"
    assert run.status == 403
    assert customer.status == 403
    assert (await harness.ctx.db.programmes.find_one({"_id": "store-1"}))["version"] == 1  # type: ignore[index]


async def test_a_programme_without_causes_or_with_an_absurd_share_is_refused(harness: Harness) -> None:
    empty = await harness.client.put(
        "/v1/stores/store-1/sponsorship", json={"causes": []}, headers=harness.store("store-1")
    )
    greedy = await harness.client.put(
        "/v1/stores/store-1/sponsorship",
        json={**PROGRAMME, "share_basis_points": 9_000},
        headers=harness.store("store-1"),
    )
    unnamed = await harness.client.put(
        "/v1/stores/store-1/sponsorship",
        json={"causes": [{"cause_id": "x", "name": {"fi": "X"}}]},
        headers=harness.store("store-1"),
    )

    assert [empty.status, greedy.status, unnamed.status] == [422, 422, 422]
    assert (await greedy.json())["type"] == PROBLEMS + "invalid-programme"
    assert (await unnamed.json())["type"] == PROBLEMS + "missing-language"
    assert await harness.count("programmes") == 0


async def test_the_month_close_command_closes_every_store_with_totals_once(harness: Harness) -> None:
    await harness.person("aino")
    await _programme(harness)
    await sponsorship.join_cause(harness.ctx, "aino", "store-1", "kallio-scouts")
    harness.clock.now += timedelta(minutes=1)
    await harness.buy("aino", "a1", ("grocery", 10_000))

    first = await close_month.run(harness.settings, "2026-03", None)
    again = await close_month.run(harness.settings, "2026-03", "store-1")

    assert first == ["store-1 2026-03 closed: 100 cents"]
    assert again == ["store-1 2026-03 was already closed"]
