"""Choosing which chains and partners may send a person marketing e-mail."""

import uuid
from collections.abc import Mapping

from plussa_notifications.context import NotificationsContext
from plussa_notifications.domain.consent import ConsentSource, ContactPreferences
from plussa_notifications.domain.errors import (
    StalePreferencesError,
    UnsubscribeTokenNotYoursError,
    UnsubscribeTokenUsedError,
)
from plussa_notifications.mail.unsubscribe import UnsubscribeClaim
from plussa_shared.context import UnitOfWork


async def change_preferences(
    ctx: NotificationsContext,
    person_id: str,
    choices: Mapping[str, bool],
    *,
    source: ConsentSource,
    wording_version: str | None = None,
    expected_version: int | None = None,
) -> ContactPreferences:
    """Give or withdraw consents; every change goes to the ledger and out as an event."""
    now = ctx.now()

    async def work(uow: UnitOfWork) -> ContactPreferences:
        prefs = await ctx.store.preferences_to_change(uow, person_id)
        if expected_version is not None and expected_version != prefs.version:
            raise StalePreferencesError(current_version=prefs.version)
        known = [chain.chain_id for chain in await ctx.store.chains(uow.session)]
        prefs.change(
            choices,
            known_chains=known,
            source=source,
            wording_version=wording_version or ctx.settings.consent_wording_version,
            at=now,
            new_id=lambda: str(uuid.uuid4()),
        )
        await ctx.store.save_preferences(uow, prefs)
        return prefs

    return await ctx.run(work)


def read_unsubscribe_token(ctx: NotificationsContext, person_id: str, chain_id: str, token: str) -> UnsubscribeClaim:
    """The claim of a genuine token for exactly this person and chain."""
    claim = ctx.tokens.read(token, ctx.now())
    if (claim.person_id, claim.chain_id) != (person_id, chain_id):
        raise UnsubscribeTokenNotYoursError()
    return claim


async def check_unsubscribe_link(ctx: NotificationsContext, person_id: str, chain_id: str, token: str) -> None:
    """Refuse a link that is not genuine, not this person's and chain's, or already used."""
    claim = read_unsubscribe_token(ctx, person_id, chain_id, token)
    if await ctx.store.unsubscribe_token_used(claim.token_id):
        raise UnsubscribeTokenUsedError()


async def unsubscribe_by_link(ctx: NotificationsContext, person_id: str, chain_id: str, token: str) -> None:
    """One click in a marketing mail: withdraw the consent to that chain, once per link."""
    claim = read_unsubscribe_token(ctx, person_id, chain_id, token)
    now = ctx.now()

    async def work(uow: UnitOfWork) -> None:
        await ctx.store.use_unsubscribe_token(claim.token_id, now, uow.session)
        await change_preferences(ctx, person_id, {chain_id: False}, source=ConsentSource.UNSUBSCRIBE_LINK)

    await ctx.run(work)
