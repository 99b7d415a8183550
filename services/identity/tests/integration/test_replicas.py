"""Two replicas of identity (two apps, one set of settings: one queue, one database) on the
real MongoDB and RabbitMQ: the member events of a hand-over, a household closed and a
removal, applied by either replica in any order, end as they would in order."""

import asyncio
import random
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from plussa_identity.app import create_app
from plussa_identity.context import IdentityContext
from plussa_identity.settings import IdentitySettings
from plussa_identity.testing import CARDS_SOURCE
from plussa_shared.testing.bus import envelope, publish

NOW = datetime(2026, 3, 15, 10, 0, tzinfo=UTC)
DOB = "2001-02-03"

# (second, event type, data) with names for ids: main holder M hands household H over to
# parallel holder P and loses money access afterwards; parallel holder Q leaves H for a
# household G of their own when H is closed (three events at one instant, as cards
# publishes them) and then changes name; parallel holder R is removed.
LIFE: list[tuple[int, str, dict[str, Any]]] = [
    (0, "household.created", {"household_id": "H", "main_person_id": "M"}),
    (0, "member.added", {"household_id": "H", "person_id": "M", "role": "main", "can_use_money": True}),
    (1, "member.added", {"household_id": "H", "person_id": "P", "role": "parallel", "can_use_money": False}),
    (1, "member.added", {"household_id": "H", "person_id": "Q", "role": "parallel", "can_use_money": False}),
    (1, "member.added", {"household_id": "H", "person_id": "R", "role": "parallel", "can_use_money": False}),
    (2, "access.granted", {"household_id": "H", "person_id": "P", "can_use_money": True}),
    (2, "access.granted", {"household_id": "H", "person_id": "Q", "can_use_money": True}),
    (3, "member.renamed", {"household_id": "H", "person_id": "P", "first_name": "Eetu", "last_name": "Lahti"}),
    (4, "access.withdrawn", {"household_id": "H", "person_id": "P", "can_use_money": False}),
    (5, "household.handed_over", {"household_id": "H", "previous_main_person_id": "M", "main_person_id": "P"}),
    (5, "member.role_changed", {"household_id": "H", "person_id": "P", "role": "main", "can_use_money": True}),
    (5, "member.role_changed", {"household_id": "H", "person_id": "M", "role": "parallel", "can_use_money": True}),
    (6, "access.withdrawn", {"household_id": "H", "person_id": "M", "can_use_money": False}),
    (7, "member.removed", {"household_id": "H", "person_id": "Q"}),
    (7, "household.created", {"household_id": "G", "main_person_id": "Q"}),
    (7, "member.added", {"household_id": "G", "person_id": "Q", "role": "main", "can_use_money": True}),
    (8, "member.renamed", {"household_id": "G", "person_id": "Q", "first_name": "Usva", "last_name": "Koski"}),
    (9, "member.removed", {"household_id": "H", "person_id": "R"}),
]
NAMES = ("H", "G", "M", "P", "Q", "R")
ID_FIELDS = ("household_id", "person_id", "main_person_id", "previous_main_person_id")

# person -> (household, role, may use money, removed, first name, last name), as in order
IN_ORDER = {
    "M": ("H", "parallel", False, False, "Aino", "Virtanen"),
    "P": ("H", "main", True, False, "Eetu", "Lahti"),
    "Q": ("G", "main", True, False, "Usva", "Koski"),
    "R": (None, None, False, True, "Aino", "Virtanen"),
}


def life(ids: dict[str, str]) -> list[dict[str, Any]]:
    """The events of LIFE with ``ids`` for the names, timed from NOW."""
    events = []
    for second, kind, data in LIFE:
        data = {k: ids[v] if k in ID_FIELDS else v for k, v in data.items()}
        if kind == "member.added":
            data |= {"first_name": "Aino", "last_name": "Virtanen", "date_of_birth": DOB, "language": "fi"}
        event = envelope(f"fi.plussa.cards.{kind}", data, source=CARDS_SOURCE, subject=f"household/{ids['H']}")
        event["time"] = (NOW + timedelta(seconds=second)).isoformat()
        events.append(event)
    return events


async def states(identity: IdentityContext, ids: dict[str, str]) -> dict[str, tuple[Any, ...]]:
    """What identity holds about each person, with the households named as in LIFE."""
    named = {v: k for k, v in ids.items()}
    found = {}
    for person in IN_ORDER:
        m = await identity.store.member(ids[person])
        assert m is not None, person
        household = named.get(m.household_id) if m.household_id else None
        found[person] = (household, m.role, m.can_use_money, m.removed, m.first_name, m.last_name)
    return found


async def test_one_households_member_events_applied_by_two_replicas_in_any_order_end_as_in_order(
    client: Any, identity: IdentityContext, settings: IdentitySettings, aiohttp_client: Any
) -> None:
    await aiohttp_client(create_app(settings))  # the second replica: same queue, same database
    rng = random.Random(14)
    runs: dict[str, dict[str, str]] = {}
    orders: dict[str, list[dict[str, Any]]] = {}
    for name in ("in-order", "reversed", *(f"shuffled-{n}" for n in range(4))):
        runs[name] = {n: uuid.uuid4().hex for n in NAMES}
        orders[name] = life(runs[name])
    orders["reversed"].reverse()
    for name in orders:
        if name.startswith("shuffled"):
            rng.shuffle(orders[name])
    interleaved = [event for round_ in zip(*orders.values(), strict=True) for event in round_]

    amqp_url, exchange = settings.amqp_url.get_secret_value(), settings.amqp_exchange
    for event in interleaved:
        await publish(amqp_url, exchange, event)
    for _ in range(600):
        if await identity.store.db["inbox"].count_documents({}) >= len(interleaved):
            break
        await asyncio.sleep(0.05)
    assert await identity.store.db["inbox"].count_documents({}) == len(interleaved)

    assert await states(identity, runs["in-order"]) == IN_ORDER
    for name, ids in runs.items():
        assert await states(identity, ids) == IN_ORDER, name


async def test_a_removal_arriving_before_the_member_is_known_is_kept(
    client: Any, identity: IdentityContext, settings: IdentitySettings
) -> None:
    ids = {n: uuid.uuid4().hex for n in NAMES}
    removal, *_ = [e for e in life(ids) if e["type"].endswith("member.removed") and e["data"]["person_id"] == ids["R"]]
    added, *_ = [e for e in life(ids) if e["type"].endswith("member.added") and e["data"]["person_id"] == ids["R"]]
    amqp_url, exchange = settings.amqp_url.get_secret_value(), settings.amqp_exchange

    await publish(amqp_url, exchange, removal)
    await publish(amqp_url, exchange, added)
    for _ in range(200):
        if await identity.store.db["inbox"].count_documents({}) >= 2:
            break
        await asyncio.sleep(0.05)

    member = await identity.store.member(ids["R"])
    assert member is not None
    assert (member.is_member, member.removed, member.first_name) == (False, True, "Aino")
