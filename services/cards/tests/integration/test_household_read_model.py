"""The household read model: one document per household, rebuilt in the transaction of
every write that changes what ``GET /v1/me/household`` answers, found by a member's id."""

import asyncio
import os
import sys
from asyncio.subprocess import PIPE
from typing import Any

import pytest

from plussa_cards.context import CardsContext
from plussa_cards.settings import CardsSettings
from plussa_cards.testing import CardsApi, Holder, problem
from plussa_cards.use_cases.read_models import build_household_views
from plussa_shared.context import UnitOfWork
from plussa_shared.keys import context_of

PARALLEL = "/v1/me/household/parallel-holders"


def context(api: CardsApi) -> CardsContext:
    return context_of(api.client.server.app, CardsContext)


async def household(api: CardsApi, holder: Holder) -> dict[str, Any]:
    resp = await api.client.get("/v1/me/household", headers=holder.headers)
    assert resp.status == 200, await resp.text()
    answer: dict[str, Any] = await resp.json()
    return answer


async def assert_current(api: CardsApi, household_id: str) -> dict[str, Any]:
    """The household's document holds exactly what its collections hold now."""
    db = context(api).db
    view = await db["household_views"].find_one({"_id": household_id})
    assert view is not None
    shown = {"lock": 0, "identity_key": 0, "email_key": 0}
    members = await db["members"].find({"household_id": household_id, "status": "active"}, shown).to_list()
    cards = await db["cards"].find({"household_id": household_id}).sort("issued_at").to_list()
    assert view["household"] == await db["households"].find_one({"_id": household_id})
    assert sorted(view["member_ids"]) == sorted(m["_id"] for m in members)
    assert sorted(view["members"], key=lambda m: m["_id"]) == sorted(members, key=lambda m: m["_id"])
    assert view["cards"] == cards
    return view


async def test_the_read_model_follows_every_change_of_the_households_members_and_cards(api: CardsApi) -> None:
    main = await api.apply()
    view = await assert_current(api, main.household_id)
    assert view["member_ids"] == [main.person_id]

    parallel = await api.add_parallel(main)
    view = await assert_current(api, main.household_id)
    assert set(view["member_ids"]) == {main.person_id, parallel.person_id}

    url = f"{PARALLEL}/{parallel.person_id}/money-access"
    assert (await api.client.put(url, json={"can_use_money": True}, headers=main.headers)).status == 200
    view = await assert_current(api, main.household_id)
    assert {m["_id"]: m["can_use_money"] for m in view["members"]}[parallel.person_id] is True

    card_id = parallel.card["card_id"]
    blocked = await api.client.post(f"/v1/cards/{card_id}/block", json={"reason": "lost"}, headers=main.headers)
    assert blocked.status == 200, await blocked.text()
    view = await assert_current(api, main.household_id)
    assert {c["_id"]: c["state"] for c in view["cards"]}[card_id] == "blocked"
    assert (await household(api, main))["version"] == view["household"]["version"] + sum(
        c["version"] for c in view["cards"]
    )

    assert (await api.client.delete(f"{PARALLEL}/{parallel.person_id}", headers=main.headers)).status == 204
    view = await assert_current(api, main.household_id)
    assert view["member_ids"] == [main.person_id]
    assert [m["person_id"] for m in (await household(api, main))["members"]] == [main.person_id]
    gone = await api.client.get("/v1/me/household", headers=parallel.headers)
    assert await problem(gone) == (403, "not-a-member")


async def test_a_write_that_fails_leaves_the_read_model_as_it_was(api: CardsApi) -> None:
    main = await api.apply()
    parallel = await api.add_parallel(main)
    ctx = context(api)
    before = await assert_current(api, main.household_id)

    async def leave_then_fail(uow: UnitOfWork) -> None:
        member = await ctx.store.member(uow, parallel.person_id)
        assert member is not None
        member.leave()
        await ctx.store.save_member(uow, member)
        raise RuntimeError("the rest of the work failed")

    with pytest.raises(RuntimeError):
        await ctx.run(leave_then_fail)

    assert await assert_current(api, main.household_id) == before
    assert (await household(api, parallel))["role"] == "parallel"


async def test_a_member_moving_to_another_household_leaves_the_first_ones_document(api: CardsApi) -> None:
    main = await api.apply()
    other = await api.apply("Liisa")
    parallel = await api.add_parallel(main)
    ctx = context(api)

    async def move(uow: UnitOfWork) -> None:  # as the erasure of a main holder splits a household
        member = await ctx.store.member(uow, parallel.person_id)
        assert member is not None
        member.household_id = other.household_id
        await ctx.store.save_member(uow, member)

    await ctx.run(move)

    assert (await assert_current(api, main.household_id))["member_ids"] == [main.person_id]
    assert set((await assert_current(api, other.household_id))["member_ids"]) == {
        other.person_id,
        parallel.person_id,
    }


async def test_households_without_a_document_answer_the_same_until_the_command_builds_them(
    api: CardsApi, cards_settings: CardsSettings, mongo_url: str
) -> None:
    main = await api.apply()
    parallel = await api.add_parallel(main)
    answers = [await household(api, main), await household(api, parallel)]
    ctx = context(api)
    await ctx.db["household_views"].delete_many({})

    assert [await household(api, main), await household(api, parallel)] == answers
    outsider = api.as_customer("nobody", main.household_id, "main")
    assert await problem(await api.client.get("/v1/me/household", headers=outsider)) == (403, "not-a-member")

    env = {
        **os.environ,
        "PLUSSA_CARDS_MONGO_URL": mongo_url,
        "PLUSSA_CARDS_MONGO_DATABASE": cards_settings.mongo_database,
        "PLUSSA_CARDS_LOG_FORMAT": "json",
    }
    command = "plussa_cards.commands.build_household_views"
    process = await asyncio.create_subprocess_exec(sys.executable, "-m", command, env=env, stdout=PIPE)
    out, _ = await process.communicate()
    assert process.returncode == 0
    assert b'"count": 1' in out
    await assert_current(api, main.household_id)
    assert [await household(api, main), await household(api, parallel)] == answers
    assert await build_household_views(ctx) == 1
    assert await ctx.db["household_views"].count_documents({}) == 1
