"""Throttling holds under bursts: parallel guesses cannot get more password checks than the limit."""

import asyncio
from typing import Any

from plussa_identity.adapters.passwords import Hasher
from plussa_identity.app import create_app
from plussa_identity.context import IdentityContext
from plussa_identity.settings import IdentitySettings
from plussa_identity.testing import CardsFeed, IdentityApi, until_card_known
from plussa_shared.keys import context_of
from plussa_shared.testing.bus import BusProbe

PASSWORD = "kesäinen mökkiranta 42"
FAST = {"argon2_time_cost": 1, "argon2_memory_cost_kib": 64, "argon2_parallelism": 1}
TOO_MANY = "https://api.plussa.fi/problems/too-many-attempts"


class CountingHasher(Hasher):
    """The real hasher, counting the password checks it is asked for."""

    def __init__(self, settings: IdentitySettings) -> None:
        super().__init__(settings)
        self.checks = 0

    async def verify(self, stored: str | None, secret: str) -> bool:
        self.checks += 1
        return await super().verify(stored, secret)


async def burst(client: Any, bodies: list[dict[str, str]]) -> list[Any]:
    return list(await asyncio.gather(*(client.post("/v1/sessions", json=b) for b in bodies)))


async def test_twenty_parallel_wrong_passwords_for_one_account_get_at_most_five_checks(
    aiohttp_client: Any, settings_for: Any, cards: CardsFeed, probe: BusProbe
) -> None:
    settings = settings_for(IdentitySettings, account_free_failures=5, address_free_failures=100, **FAST)
    client = await aiohttp_client(create_app(settings))
    identity = context_of(client.app, IdentityContext)
    holder = await cards.household()
    await until_card_known(identity, holder)
    await IdentityApi(client, probe).registered(holder, "aino@example.fi", PASSWORD)
    counting = identity.hasher = CountingHasher(settings)

    answers = await burst(client, [{"email": "aino@example.fi", "password": f"arvaus {n:02}"} for n in range(20)])

    assert counting.checks <= 5
    refused = [a for a in answers if a.status == 429]
    assert [a.status for a in answers].count(401) == counting.checks
    assert len(refused) == 20 - counting.checks
    for answer in refused:
        assert (await answer.json())["type"] == TOO_MANY
        assert int(answer.headers["Retry-After"]) >= 1


async def test_twenty_parallel_guesses_from_one_address_at_different_accounts_get_at_most_five_checks(
    aiohttp_client: Any, settings_for: Any, probe: BusProbe
) -> None:
    settings = settings_for(IdentitySettings, address_free_failures=5, **FAST)
    client = await aiohttp_client(create_app(settings))
    counting = context_of(client.app, IdentityContext).hasher = CountingHasher(settings)

    answers = await burst(client, [{"email": f"user{n}@example.fi", "password": "arvaus x"} for n in range(20)])

    assert counting.checks <= 5
    assert sum(a.status == 429 for a in answers) == 20 - counting.checks


async def test_once_a_burst_has_ended_a_correct_password_still_logs_in_while_the_streak_allows(
    aiohttp_client: Any, settings_for: Any, cards: CardsFeed, probe: BusProbe
) -> None:
    settings = settings_for(IdentitySettings, account_free_failures=5, **FAST)
    client = await aiohttp_client(create_app(settings))
    identity = context_of(client.app, IdentityContext)
    holder = await cards.household()
    await until_card_known(identity, holder)
    await IdentityApi(client, probe).registered(holder, "aino@example.fi", PASSWORD)

    await burst(client, [{"email": "aino@example.fi", "password": f"arvaus {n}"} for n in range(2)])
    assert (await client.post("/v1/sessions", json={"email": "aino@example.fi", "password": PASSWORD})).status == 201
