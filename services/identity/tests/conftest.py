"""Fixtures of the identity tests: the service on the real MongoDB and RabbitMQ, a feed
of cards events, and a probe of what identity publishes."""

from collections.abc import AsyncIterator
from typing import Any

import pytest

from plussa_identity.app import create_app
from plussa_identity.context import IdentityContext
from plussa_identity.settings import IdentitySettings
from plussa_identity.testing import CardsFeed, Holder, until_card_known
from plussa_identity.use_cases.service_clients import create_client
from plussa_shared.keys import context_of
from plussa_shared.testing.bus import BusProbe, bus_probe

PASSWORD = "kesäinen mökkiranta 42"
FAST_HASHING = {"argon2_time_cost": 1, "argon2_memory_cost_kib": 64, "argon2_parallelism": 1}


@pytest.fixture
def settings(settings_for: Any) -> IdentitySettings:
    # the services whose answers these tests play (the default lists every deployed participant)
    settings: IdentitySettings = settings_for(
        IdentitySettings, privacy_participants=["identity", "cards", "points"], **FAST_HASHING
    )
    return settings


@pytest.fixture
async def probe(settings: IdentitySettings) -> AsyncIterator[BusProbe]:
    async with bus_probe(
        settings.amqp_url.get_secret_value(),
        [settings.amqp_exchange, settings.private_exchange("notifications")],
        "identity.#",
    ) as watching:
        yield watching


@pytest.fixture
async def client(aiohttp_client: Any, settings: IdentitySettings, probe: BusProbe) -> Any:
    return await aiohttp_client(create_app(settings))


@pytest.fixture
def identity(client: Any) -> IdentityContext:
    found: IdentityContext = context_of(client.app, IdentityContext)
    return found


@pytest.fixture
def cards(settings: IdentitySettings) -> CardsFeed:
    return CardsFeed(settings.amqp_url.get_secret_value(), settings.amqp_exchange)


@pytest.fixture
async def holder(cards: CardsFeed, identity: IdentityContext) -> Holder:
    """A main holder with an active card that identity knows about."""
    main = await cards.household()
    await until_card_known(identity, main)
    return main


@pytest.fixture
async def operator(client: Any, identity: IdentityContext) -> dict[str, str]:
    """The Authorization header of an operator holding the ``ops`` scope, with a token from identity itself."""
    created = await create_client(identity, "ops-console", ["ops"], "operator")
    response = await client.post(
        "/v1/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": created.client_id,
            "client_secret": created.client_secret,
        },
    )
    assert response.status == 200, await response.text()
    return {"Authorization": f"Bearer {(await response.json())['access_token']}"}
