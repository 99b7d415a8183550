"""The person's profile ("Omat tiedot"): reading it and changing it."""

from datetime import datetime
from typing import Any

from plussa_identity.context import IdentityContext
from plussa_identity.domain.account import Account
from plussa_identity.domain.email_address import canonical_email
from plussa_identity.domain.errors import AccountNotFoundError, EmailInUseError
from plussa_identity.events.published import EmailVerificationRequested, ProfileUpdated
from plussa_identity.use_cases.links import issue_link
from plussa_identity.use_cases.sessions import current_session
from plussa_shared.auth import Principal
from plussa_shared.context import UnitOfWork
from plussa_shared.events import EventData


async def profile(ctx: IdentityContext, caller: Principal) -> Account:
    """The caller's login and profile."""
    live = await current_session(ctx, caller)
    account = await ctx.store.account(live.person_id)
    if account is None:
        raise AccountNotFoundError("No login")
    return account


async def update_profile(ctx: IdentityContext, caller: Principal, changes: dict[str, Any]) -> Account:
    """Apply ``changes``; a new e-mail address waits for verification before it replaces the old."""
    now = ctx.now()
    person_id = (await current_session(ctx, caller)).person_id
    new_email = canonical_email(changes.pop("email")) if changes.get("email") is not None else None

    async def work(uow: UnitOfWork) -> Account:
        account = await ctx.store.account(person_id, uow.session)
        if account is None:
            raise AccountNotFoundError("No login")
        applied = {k: v for k, v in changes.items() if getattr(account, k) != v}
        updated = account.model_copy(update={**applied, "updated_at": now})
        events: list[EventData] = []
        if new_email is not None and new_email != account.email:
            if await ctx.store.account_by_email(new_email, uow.session):
                raise EmailInUseError()
            updated = updated.model_copy(update={"pending_email": new_email})
            token, expires_at = await issue_link(
                ctx,
                uow.session,
                purpose="verify-email",
                person_id=person_id,
                email=new_email,
                now=now,
                ttl_s=ctx.settings.email_verification_ttl_s,
            )
            language = str(applied.get("language", account.language))
            verification = EmailVerificationRequested(
                person_id=person_id, email=new_email, language=language, token=token, expires_at=expires_at
            )
            events.append(verification)
        if applied:
            events.append(_profile_updated(updated, sorted(applied), now))
        if applied or updated.pending_email != account.pending_email:
            await ctx.store.save_account(updated, uow.session)
            for event in events:
                uow.publish(event, f"person/{person_id}")
        return updated

    return await ctx.run(work)


def _profile_updated(account: Account, changed: list[str], now: datetime) -> ProfileUpdated:
    return ProfileUpdated(
        person_id=account.person_id,
        changed=changed,
        first_name=account.first_name,
        last_name=account.last_name,
        email=account.email,
        phone=account.phone,
        language=account.language,
        postal_address=account.postal_address.model_dump() if account.postal_address else None,
        occurred_at=now,
    )
