from collections.abc import AsyncIterator
from typing import Any

import pytest

from plussa_cards.app import create_app
from plussa_cards.settings import CardsSettings
from plussa_cards.testing import CardsApi
from plussa_shared.testing.bus import BusProbe, bus_probe


@pytest.fixture
def cards_settings(settings_for: Any) -> CardsSettings:
    settings: CardsSettings = settings_for(CardsSettings)
    return settings


@pytest.fixture
async def api(aiohttp_client: Any, cards_settings: CardsSettings, tokens: Any) -> CardsApi:
    client = await aiohttp_client(create_app(cards_settings))
    return CardsApi(client, tokens)


@pytest.fixture
async def bus(amqp_url: str, cards_settings: CardsSettings) -> AsyncIterator[BusProbe]:
    async with bus_probe(
        amqp_url, [cards_settings.amqp_exchange, cards_settings.private_exchange("identity")], "cards.#"
    ) as probe:
        yield probe
