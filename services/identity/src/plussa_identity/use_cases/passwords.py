"""Changing the password, and resetting a forgotten one by e-mail."""

import asyncio
import time

from plussa_identity.adapters.opaque_tokens import token_hash
from plussa_identity.context import IdentityContext
from plussa_identity.domain.email_address import canonical_email
from plussa_identity.domain.errors import (
    AccountNotFoundError,
    InvalidEmailError,
    InvalidLinkTokenError,
    WrongCurrentPasswordError,
    field_problem,
)
from plussa_identity.events.published import PasswordChanged, PasswordResetRequested
from plussa_identity.use_cases import throttling
from plussa_identity.use_cases.links import issue_decoy_link, issue_link, redeem_link
from plussa_identity.use_cases.sessions import current_session, end_all_sessions
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
    async with throttling.checking(ctx, guards, now):
        if not await ctx.hasher.verify(account.password_hash, current):
            await throttling.record_failure(ctx, guards, now)
            raise WrongCurrentPasswordError(
                errors=[field_problem("wrong_password", "The current password is wrong", "/current_password")]
            )
    ctx.policy.check(new, email=account.email, pointer="/new_password")
    new_hash = await ctx.hasher.hash(new)

    async def work(uow: UnitOfWork) -> None:
        latest = await ctx.store.account(person_id, uow.session)
        if latest is None:
            raise AccountNotFoundError("No login")
        await ctx.store.save_account(
            latest.model_copy(update={"password_hash": new_hash, "updated_at": now}), uow.session
        )
        await end_all_sessions(ctx, uow, person_id, "password-changed", now, keep=live.session_id)
        uow.publish(PasswordChanged(person_id=person_id, occurred_at=now), f"person/{person_id}")

    await ctx.run(work)


async def request_reset(ctx: IdentityContext, email: str, address: str) -> None:
    """Send a reset link if the address has a login; the caller answers 202 either way.

    An address without a login takes the same path and the same writes (a decoy link
    record that no token can redeem), and every answer waits until a fixed time after the
    request arrived, so the answer's timing tells nothing either."""
    arrived = time.monotonic()
    now = ctx.now()
    guard = throttling.address_key(ctx, "reset", address)
    try:
        canonical: str | None = canonical_email(email)
    except InvalidEmailError:
        canonical = None

    async def work(uow: UnitOfWork) -> None:
        # Every request counts against the address, known e-mail or not, so the lock
        # says nothing about accounts and flooding someone's mailbox is bounded.
        await throttling.count_failure(ctx, [guard], now, uow.session)
        account = await ctx.store.account_by_email(canonical or "", uow.session)
        if account is None:
            await issue_decoy_link(ctx, uow.session, now=now)
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

    async with throttling.checking(ctx, [guard], now):
        await ctx.run(work)
    answer_at = arrived + ctx.settings.password_reset_answer_ms / 1000
    await asyncio.sleep(max(0.0, answer_at - time.monotonic()))


async def confirm_reset(ctx: IdentityContext, token: str, new: str) -> None:
    """Set a new password with a reset link: single use; every session ends; the lock is lifted."""
    now = ctx.now()
    # A look without using the token first, so a weak new password does not use it up.
    record = await ctx.store.link_token(token_hash(token), "reset-password")
    if record is None:
        raise InvalidLinkTokenError()
    ctx.policy.check(new, email=str(record["email"]), pointer="/new_password")
    new_hash = await ctx.hasher.hash(new)

    async def work(uow: UnitOfWork) -> None:
        record = await redeem_link(ctx, uow.session, purpose="reset-password", token=token, now=now)
        account = await ctx.store.account(record["person_id"], uow.session)
        if account is None or account.email != record["email"]:
            raise InvalidLinkTokenError("The link is for an address this login no longer has")
        # Following the link proves the mailbox is the person's.
        updated = account.model_copy(update={"password_hash": new_hash, "email_verified": True, "updated_at": now})
        await ctx.store.save_account(updated, uow.session)
        await end_all_sessions(ctx, uow, account.person_id, "password-reset", now)
        await ctx.store.clear_throttle(throttling.account_key(ctx, account.email).key, uow.session)
        uow.publish(PasswordChanged(person_id=account.person_id, occurred_at=now), f"person/{account.person_id}")

    await ctx.run(work)
