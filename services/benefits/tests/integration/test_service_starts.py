from typing import Any

from plussa_benefits.app import create_app
from plussa_benefits.settings import BenefitsSettings
from plussa_shared.testing.contract import assert_routes_documented


async def test_the_benefits_service_is_ready_and_describes_itself(aiohttp_client: Any, settings_for: Any) -> None:
    client = await aiohttp_client(create_app(settings_for(BenefitsSettings)))

    ready = await client.get("/health/ready")
    spec = await client.get("/openapi.json")
    metrics = await client.get("/metrics")

    assert ready.status == 200, await ready.text()
    assert (await spec.json())["info"]["title"] == "Plussa benefits"
    assert "http_requests_total" in await metrics.text()
    assert_routes_documented(client.app)
