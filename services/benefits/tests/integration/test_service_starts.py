from typing import Any

from plussa_benefits.app import create_app
from plussa_benefits.context import BenefitsContext
from plussa_benefits.settings import BenefitsSettings
from plussa_shared.context import UnitOfWork
from plussa_shared.keys import CONTEXT, SETTINGS
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


async def test_the_benefits_context_is_built_at_start_and_runs_work_in_a_transaction(
    aiohttp_client: Any, settings_for: Any
) -> None:
    client = await aiohttp_client(create_app(settings_for(BenefitsSettings)))
    ctx = client.app[CONTEXT]
    assert isinstance(ctx, BenefitsContext)
    assert ctx.settings is client.app[SETTINGS]

    async def work(uow: UnitOfWork) -> bool:
        return uow.session.in_transaction

    assert await ctx.run(work) is True
