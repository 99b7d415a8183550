"""Handled event ids expire after the configured retention (a TTL index on ``handled_at``)."""

from typing import Any

from plussa_shared.app import create_service_app
from plussa_shared.inbox import INBOX, INBOX_EXPIRY_INDEX
from plussa_shared.keys import DB
from plussa_shared.settings import ServiceSettings
from plussa_shared.testing.sample import reader_spec

DAY_S = 24 * 3600


async def _expiry_of(app: Any) -> Any:
    indexes = await app[DB][INBOX].index_information()
    return indexes[INBOX_EXPIRY_INDEX]


async def test_the_inbox_expires_handled_event_ids_after_thirty_days_by_default(
    aiohttp_client: Any, settings_for: Any
) -> None:
    client = await aiohttp_client(
        create_service_app(settings_for(ServiceSettings, service_name="reader"), reader_spec({}))
    )

    index = await _expiry_of(client.app)

    assert index["key"] == [("handled_at", 1)]
    assert index["expireAfterSeconds"] == 30 * DAY_S


async def test_a_changed_retention_updates_the_expiry_of_an_existing_inbox(
    aiohttp_client: Any, settings_for: Any
) -> None:
    first = await aiohttp_client(
        create_service_app(settings_for(ServiceSettings, service_name="reader"), reader_spec({}))
    )
    await first.close()

    settings = settings_for(ServiceSettings, service_name="reader", inbox_retention_days=45)
    again = await aiohttp_client(create_service_app(settings, reader_spec({})))

    assert (await _expiry_of(again.app))["expireAfterSeconds"] == 45 * DAY_S
