"""Changing the password, and resetting a forgotten one by e-mail."""

from plussa_identity.adapters.opaque_tokens import token_hash
from plussa_identity.context import IdentityContext
from plussa_identity.domain.email_address import canonical_email
from plussa_identity.domain.errors import (
    AccountNotFoundError,
    InvalidCredentialsError,
    InvalidEmailError,
    InvalidLinkTokenError,
)
from plussa_identity.events.published import PasswordChanged, PasswordResetRequested
from plussa_identity.use_cases import throttling
from plussa_identity.use_cases.links import issue_link, redeem_link
from plussa_identity.use_cases.sessions import current_session
from plussa_shared.auth import Principal
from plussa_shared.context import UnitOfWork


async def change_password(ctx: IdentityContext, caller: Principal, *, current: str, new: str, address: str) -> None:
    """Replace the password after checking the current one; every other session of the person ends."""
    now = ctx.now()
    live = await current_session(ctx, caller)
    person_id = live.person_id
    account = await ctx.store.account(person_id)
    if account is None:
        raise AccountNotFoundError("No login")
    guards = [throttling.account_key(ctx, account.email), throttling.address_key(ctx, "login", address)]
    await throttling.check(ctx, guards, now)
    if not await ctx.hasher.verify(account.password_hash, current):
        await throttling.record_failure(ctx, guards, now)
        raise InvalidCredentialsError("The current password is wrong")
    ctx.policy.check(new, email=account.email)
    new_hash = await ctx.hasher.hash(new)

    async def work(uow: UnitOfWork) -> None:
        latest = await ctx.store.account(person_id, uow.session)
        if latest is None:
            raise AccountNotFoundError("No login")
        await ctx.store.save_account(
            latest.model_copy(update={"password_hash": new_hash, "updated_at": now}), uow.session
        )
        await ctx.store.revoke_sessions(person_id, now, "password-changed", uow.session, keep=live.session_id)
        uow.publish(PasswordChanged(person_id=person_id, occurred_at=now), f"person/{person_id}")

    await ctx.run(work)


async def request_reset(ctx: IdentityContext, email: str, address: str) -> None:
    """Send a reset link if the address has a login; the caller answers 202 either way."""
    now = ctx.now()
    guard = throttling.address_key(ctx, "reset", address)
    await throttling.check(ctx, [guard], now)
    try:
        email = canonical_email(email)
    except InvalidEmailError:
        return

    async def work(uow: UnitOfWork) -> None:
        # Every request counts against the address, known e-mail or not, so the lock
        # says nothing about accounts and flooding someone's mailbox is bounded.
        await throttling.count_failure(ctx, [guard], now, uow.session)
        account = await ctx.store.account_by_email(email, uow.session)
        if account is None:
            return
        token, expires_at = await issue_link(
            ctx,
            uow.session,
            purpose="reset-password",
            person_id=account.person_id,
            email=account.email,
            now=now,
            ttl_s=ctx.settings.password_reset_ttl_s,
        )
        requested = PasswordResetRequested(
            person_id=account.person_id,
            email=account.email,
            language=account.language,
            token=token,
            expires_at=expires_at,
        )
        uow.publish(requested, f"person/{account.person_id}")

    await ctx.run(work)


async def confirm_reset(ctx: IdentityContext, token: str, new: str) -> None:
    """Set a new password with a reset link: single use; every session ends; the lock is lifted."""
    now = ctx.now()
    # A look without using the token first, so a weak new password does not use it up.
    record = await ctx.store.link_token(token_hash(token), "reset-password")
    if record is None:
        raise InvalidLinkTokenError()
    ctx.policy.check(new, email=str(record["email"]))
    new_hash = await ctx.hasher.hash(new)

    async def work(uow: UnitOfWork) -> None:
        record = await redeem_link(ctx, uow.session, purpose="reset-password", token=token, now=now)
        account = await ctx.store.account(record["person_id"], uow.session)
        if account is None or account.email != record["email"]:
            raise InvalidLinkTokenError("The link is for an address this login no longer has")
        # Following the link proves the mailbox is the person's.
        updated = account.model_copy(update={"password_hash": new_hash, "email_verified": True, "updated_at": now})
        await ctx.store.save_account(updated, uow.session)
        await ctx.store.revoke_sessions(account.person_id, now, "password-reset", uow.session)
        await ctx.store.clear_throttle(throttling.account_key(ctx, account.email).key, uow.session)
        uow.publish(PasswordChanged(person_id=account.person_id, occurred_at=now), f"person/{account.person_id}")

    await ctx.run(work)
