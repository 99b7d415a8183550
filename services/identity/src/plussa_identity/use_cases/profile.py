"""The person's profile ("Omat tiedot"): reading it and changing it.

Identity owns the e-mail address, the password and the language (and the phone and
postal address given here); the name is the cards service's, projected from its events."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from plussa_identity.context import IdentityContext
from plussa_identity.domain.account import Account
from plussa_identity.domain.email_address import canonical_email
from plussa_identity.domain.errors import AccountNotFoundError, EmailInUseError, ProfileChangedError
from plussa_identity.domain.members import MemberView
from plussa_identity.events.published import EmailVerificationRequested, ProfileUpdated
from plussa_identity.use_cases.links import issue_link
from plussa_identity.use_cases.sessions import current_session
from plussa_shared.auth import Principal
from plussa_shared.context import UnitOfWork
from plussa_shared.events import EventData
from plussa_shared.mongo import Session


@dataclass(frozen=True)
class Profile:
    """The login and the name as identity last learned it from cards."""

    account: Account
    first_name: str | None
    last_name: str | None


async def profile(ctx: IdentityContext, caller: Principal) -> Profile:
    """The caller's login and profile."""
    live = await current_session(ctx, caller)
    account = await ctx.store.account(live.person_id)
    if account is None:
        raise AccountNotFoundError("No login")
    return _profile(account, await ctx.store.member(live.person_id))


async def update_profile(
    ctx: IdentityContext, caller: Principal, changes: dict[str, Any], *, expected_version: int | None = None
) -> Profile:
    """Apply ``changes`` (never a name: cards owns it); a new e-mail address waits for verification
    before it replaces the old. With ``expected_version``, a profile changed since is 412 and
    nothing changes."""
    now = ctx.now()
    person_id = (await current_session(ctx, caller)).person_id
    new_email = canonical_email(changes.pop("email")) if changes.get("email") is not None else None

    async def work(uow: UnitOfWork) -> Profile:
        account = await ctx.store.account(person_id, uow.session)
        if account is None:
            raise AccountNotFoundError("No login")
        if expected_version is not None and account.version != expected_version:
            raise ProfileChangedError("The profile has changed since you read it; read it again")
        member = await ctx.store.member(person_id, uow.session)
        applied = {k: v for k, v in changes.items() if getattr(account, k) != v}
        updated = account.model_copy(update={**applied, "updated_at": now})
        events: list[EventData] = []
        if new_email is not None and new_email != account.email:
            updated = updated.model_copy(update={"pending_email": new_email})
            events.append(await _verify_new_email(ctx, uow.session, updated, new_email, now))
        if applied:
            events.append(profile_updated(updated, member, sorted(applied), now))
        if applied or updated.pending_email != account.pending_email:
            updated = await ctx.store.save_account(updated, uow.session)
            for event in events:
                uow.publish(event, f"person/{person_id}")
        return _profile(updated, member)

    return await ctx.run(work)


async def _verify_new_email(
    ctx: IdentityContext, session: Session, account: Account, new_email: str, now: datetime
) -> EmailVerificationRequested:
    if await ctx.store.account_by_email(new_email, session):
        raise EmailInUseError()
    token, expires_at = await issue_link(
        ctx,
        session,
        purpose="verify-email",
        person_id=account.person_id,
        email=new_email,
        now=now,
        ttl_s=ctx.settings.email_verification_ttl_s,
    )
    return EmailVerificationRequested(
        person_id=account.person_id, email=new_email, language=account.language, token=token, expires_at=expires_at
    )


def _profile(account: Account, member: MemberView | None) -> Profile:
    return Profile(account, member.first_name if member else None, member.last_name if member else None)


def profile_updated(account: Account, member: MemberView | None, changed: list[str], now: datetime) -> ProfileUpdated:
    """``profile.updated`` with the whole profile after the change (the name as projected from cards)."""
    return ProfileUpdated(
        person_id=account.person_id,
        changed=changed,
        first_name=member.first_name if member else None,
        last_name=member.last_name if member else None,
        email=account.email,
        phone=account.phone,
        language=account.language,
        postal_address=account.postal_address.model_dump() if account.postal_address else None,
        occurred_at=now,
    )
