from typing import Any

from plussa_receipts.app import create_app
from plussa_receipts.context import ReceiptsContext
from plussa_receipts.settings import ReceiptsSettings
from plussa_shared.context import UnitOfWork
from plussa_shared.keys import CONTEXT, SETTINGS


async def test_the_receipts_service_is_ready_and_describes_itself(aiohttp_client: Any, settings_for: Any) -> None:
    client = await aiohttp_client(create_app(settings_for(ReceiptsSettings)))

    ready = await client.get("/health/ready")
    spec = await client.get("/openapi.json")
    metrics = await client.get("/metrics")

    assert ready.status == 200, await ready.text()
    assert (await spec.json())["info"]["title"] == "Plussa receipts"
    assert "http_requests_total" in await metrics.text()


async def test_the_receipts_context_is_built_at_start_and_runs_work_in_a_transaction(
    aiohttp_client: Any, settings_for: Any
) -> None:
    client = await aiohttp_client(create_app(settings_for(ReceiptsSettings)))
    ctx = client.app[CONTEXT]
    assert isinstance(ctx, ReceiptsContext)
    assert ctx.settings is client.app[SETTINGS]

    async def work(uow: UnitOfWork) -> bool:
        return uow.session.in_transaction

    assert await ctx.run(work) is True
