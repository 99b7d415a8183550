"""The identity context of a command-line job: the service's settings and database, no HTTP."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from plussa_identity.adapters.signing_keys import KeyRing
from plussa_identity.context import IdentityContext, system_clock
from plussa_identity.settings import IdentitySettings
from plussa_identity.store import IdentityStore
from plussa_shared.mongo import create_client
from plussa_shared.outbox import Outbox


@asynccontextmanager
async def command_context(settings: IdentitySettings, app_name: str) -> AsyncIterator[IdentityContext]:
    """A context on the service's database for one job; the client is closed afterwards."""
    client = create_client(str(settings.mongo_url), app_name=app_name)
    try:
        db = client[settings.mongo_database]
        keys = KeyRing(IdentityStore(db), settings, system_clock)
        yield IdentityContext.build(settings, client, db, Outbox(db), keys)
    finally:
        await client.close()
