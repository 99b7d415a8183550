from typing import Any

from plussa_cards.app import create_app
from plussa_cards.settings import CardsSettings


async def test_the_cards_service_is_ready_and_describes_itself(aiohttp_client: Any, settings_for: Any) -> None:
    client = await aiohttp_client(create_app(settings_for(CardsSettings)))

    ready = await client.get("/health/ready")
    spec = await client.get("/openapi.json")
    metrics = await client.get("/metrics")

    assert ready.status == 200, await ready.text()
    assert (await spec.json())["info"]["title"] == "Plussa cards"
    assert "http_requests_total" in await metrics.text()
