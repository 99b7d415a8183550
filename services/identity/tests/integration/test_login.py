"""Login: one answer for unknown e-mail and wrong password, throttling, rehashing."""

from typing import Any

from plussa_identity.adapters.passwords import Hasher
from plussa_identity.app import create_app
from plussa_identity.context import IdentityContext
from plussa_identity.settings import IdentitySettings
from plussa_identity.testing import CardsFeed, IdentityApi, until_card_known
from plussa_shared.keys import context_of
from plussa_shared.testing.bus import BusProbe

PASSWORD = "kesäinen mökkiranta 42"
LOCAL_PROXY = ["127.0.0.1/32", "::1/128"]  # the test client's own address plays the BFF
FAST = {"argon2_time_cost": 1, "argon2_memory_cost_kib": 64, "argon2_parallelism": 1}


async def attempt(client: Any, email: str, password: str, address: str | None = None) -> Any:
    headers = {"X-Forwarded-For": address} if address else {}
    return await client.post("/v1/sessions", json={"email": email, "password": password}, headers=headers)


async def test_an_unknown_email_and_a_wrong_password_get_the_same_answer(
    client: Any, probe: BusProbe, holder: Any
) -> None:
    await IdentityApi(client, probe).registered(holder, "aino@example.fi", PASSWORD)
    unknown = await attempt(client, "nobody@example.fi", PASSWORD)
    wrong = await attempt(client, "aino@example.fi", "väärä salasana 123")
    assert unknown.status == wrong.status == 401
    assert await unknown.json() | {"instance": None} == await wrong.json() | {"instance": None}


async def test_guessing_passwords_locks_the_account_with_retry_after_and_the_right_password_waits_too(
    aiohttp_client: Any, settings_for: Any, cards: CardsFeed, probe: BusProbe
) -> None:
    settings = settings_for(IdentitySettings, account_free_failures=3, account_lock_base_s=30, **FAST)
    client = await aiohttp_client(create_app(settings))
    holder = await cards.household()
    await until_card_known(context_of(client.app, IdentityContext), holder)
    await IdentityApi(client, probe).registered(holder, "aino@example.fi", PASSWORD)
    for guess in range(3):
        assert (await attempt(client, "aino@example.fi", f"arvaus numero {guess}")).status == 401
    locked = await attempt(client, "aino@example.fi", "arvaus numero 4")
    assert locked.status == 401
    throttled = await attempt(client, "aino@example.fi", PASSWORD)
    assert throttled.status == 429
    assert (await throttled.json())["type"] == "https://api.plussa.fi/problems/too-many-attempts"
    assert 0 < int(throttled.headers["Retry-After"]) <= 30


async def test_a_guesser_elsewhere_cannot_lock_out_the_person_on_an_address_they_logged_in_from(
    aiohttp_client: Any, settings_for: Any, cards: CardsFeed, probe: BusProbe
) -> None:
    settings = settings_for(IdentitySettings, account_free_failures=2, trusted_proxies=LOCAL_PROXY, **FAST)
    client = await aiohttp_client(create_app(settings))
    holder = await cards.household()
    await until_card_known(context_of(client.app, IdentityContext), holder)
    await IdentityApi(client, probe).registered(holder, "aino@example.fi", PASSWORD)
    assert (await attempt(client, "aino@example.fi", PASSWORD, "10.0.0.5")).status == 201
    for guess in range(4):
        await attempt(client, "aino@example.fi", f"arvaus numero {guess}", "203.0.113.9")
    assert (await attempt(client, "aino@example.fi", PASSWORD, "203.0.113.9")).status == 429
    assert (await attempt(client, "aino@example.fi", PASSWORD, "198.51.100.7")).status == 429
    assert (await attempt(client, "aino@example.fi", PASSWORD, "10.0.0.5")).status == 201


async def test_many_failures_from_one_address_lock_that_address_for_every_email(
    aiohttp_client: Any, settings_for: Any, probe: BusProbe
) -> None:
    settings = settings_for(IdentitySettings, address_free_failures=3, trusted_proxies=LOCAL_PROXY, **FAST)
    client = await aiohttp_client(create_app(settings))
    for n in range(4):
        assert (await attempt(client, f"user{n}@example.fi", "arvaus numero x", "203.0.113.9")).status == 401
    assert (await attempt(client, "user9@example.fi", "arvaus numero x", "203.0.113.9")).status == 429
    assert (await attempt(client, "user9@example.fi", "arvaus numero x", "198.51.100.7")).status == 401


async def test_a_guesser_cannot_escape_the_address_lock_by_forging_earlier_forwarded_hops(
    aiohttp_client: Any, settings_for: Any, probe: BusProbe
) -> None:
    settings = settings_for(IdentitySettings, address_free_failures=3, trusted_proxies=LOCAL_PROXY, **FAST)
    client = await aiohttp_client(create_app(settings))
    for n in range(4):
        forged = f"192.0.2.{n}, 203.0.113.9"  # the proxy appended the real address last
        assert (await attempt(client, f"user{n}@example.fi", "arvaus numero x", forged)).status == 401
    assert (await attempt(client, "user9@example.fi", "arvaus numero x", "192.0.2.99, 203.0.113.9")).status == 429


async def test_a_hash_made_with_old_parameters_is_replaced_at_the_next_login(
    client: Any, probe: BusProbe, holder: Any, settings: IdentitySettings
) -> None:
    identity = context_of(client.app, IdentityContext)
    await IdentityApi(client, probe).registered(holder, "aino@example.fi", PASSWORD)
    before = (await identity.store.account(holder.person_id)).password_hash
    identity.hasher = Hasher(settings.model_copy(update={"argon2_time_cost": 2}))
    await IdentityApi(client, probe).login("aino@example.fi", PASSWORD)
    after = (await identity.store.account(holder.person_id)).password_hash
    assert before.startswith("$argon2id$")
    assert ",t=1," in before
    assert ",t=2," in after
    await IdentityApi(client, probe).login("aino@example.fi", PASSWORD)
