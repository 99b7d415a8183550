"""Logging in, refreshing, logging out, and the person's list of sessions."""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from plussa_identity.adapters.opaque_tokens import new_token, token_hash
from plussa_identity.context import IdentityContext
from plussa_identity.domain.account import Account
from plussa_identity.domain.email_address import canonical_email
from plussa_identity.domain.errors import (
    EmailNotVerifiedError,
    InvalidCredentialsError,
    InvalidEmailError,
    InvalidRefreshTokenError,
    MembershipEndedError,
    RefreshTokenReusedError,
    SessionEndedError,
    SessionNotFoundError,
)
from plussa_identity.domain.login_session import LoginSession, on_spent_token
from plussa_identity.domain.members import MemberView
from plussa_identity.events.published import SessionEnded
from plussa_identity.use_cases import throttling
from plussa_shared.auth import Principal
from plussa_shared.context import UnitOfWork


@dataclass(frozen=True)
class Tokens:
    """What a login or refresh hands out."""

    access_token: str
    expires_in: int
    refresh_token: str
    session_id: str


async def login(ctx: IdentityContext, *, email: str, password: str, address: str, user_agent: str | None) -> Tokens:
    """Check the password and start a session.

    An unknown address and a wrong password answer alike and take alike: the hash is
    verified against a dummy when there is no account, and both count as failures."""
    now = ctx.now()
    try:
        email = canonical_email(email)
    except InvalidEmailError:
        email = email.strip().lower()
    account = await ctx.store.account_by_email(email)
    account_guard = throttling.account_key(ctx, email)
    address_guard = throttling.address_key(ctx, "login", address)
    trusted = await ctx.store.is_trusted_address(account.person_id if account else "", address, now)
    guards = [address_guard] if trusted and account else [account_guard, address_guard]
    async with throttling.checking(ctx, guards, now):
        valid = await ctx.hasher.verify(account.password_hash if account else None, password)
        if account is None or not valid:
            await throttling.record_failure(ctx, guards, now)
            raise InvalidCredentialsError()
    rehashed = await ctx.hasher.hash(password) if ctx.hasher.needs_rehash(account.password_hash) else None
    if not account.email_verified:
        raise EmailNotVerifiedError()
    member = await ctx.store.member(account.person_id)
    if member is None or not member.is_member:
        raise MembershipEndedError()
    refresh = new_token()
    login_session = LoginSession.start(
        session_id=uuid.uuid4().hex,
        person_id=member.person_id,
        token_hash=token_hash(refresh),
        now=now,
        policy=ctx.sessions,
        user_agent=(user_agent or "")[:200] or None,
        address=address,
    )

    async def work(uow: UnitOfWork) -> None:
        await _logged_in(ctx, uow, account, rehashed, account_guard, login_session)

    await ctx.run(work)
    access = await ctx.issuer.customer(member, login_session.session_id, now)
    return Tokens(access.token, access.expires_in, refresh, login_session.session_id)


async def _logged_in(
    ctx: IdentityContext,
    uow: UnitOfWork,
    account: Account,
    rehashed: str | None,
    account_guard: throttling.ThrottleKey,
    login_session: LoginSession,
) -> None:
    """A successful login: the streak is cleared, the address trusted and the session stored."""
    session, now = uow.session, login_session.created_at
    if rehashed is not None:
        await ctx.store.set_password_hash(account.person_id, rehashed, session)
    await ctx.store.clear_throttle(account_guard.key, session)
    trust_until = now + timedelta(days=ctx.settings.trusted_address_days)
    await ctx.store.trust_address(account.person_id, login_session.address or "", trust_until, session)
    await ctx.store.save_session(login_session, session, forget_at=_forget_at(ctx, login_session))


def _forget_at(ctx: IdentityContext, login_session: LoginSession) -> datetime:
    return login_session.created_at + ctx.sessions.max_age


async def refresh(ctx: IdentityContext, refresh_token: str) -> Tokens:
    """Exchange a refresh token for new tokens; a spent one ends its whole session.

    Household and role are read again, so a person removed from the household
    cannot refresh."""
    now = ctx.now()
    presented = token_hash(refresh_token)
    replacement = new_token()

    async def work(uow: UnitOfWork) -> tuple[str, LoginSession | None, MemberView | None]:
        session = uow.session
        current = await ctx.store.session_by_token(presented, session)
        if current is None:
            owner = await ctx.store.session_by_spent_token(presented, session)
            if owner is None:
                raise InvalidRefreshTokenError()
            ended, event = on_spent_token(owner, now, ctx.sessions)
            await ctx.store.save_session(ended, session, forget_at=_forget_at(ctx, owner))
            _announce(uow, event)
            return "reused", None, None
        rotated = current.rotated(presented, token_hash(replacement), now, ctx.sessions)
        member = await ctx.store.member(current.person_id, session)
        account = await ctx.store.account(current.person_id, session)
        if member is None or account is None or not member.is_member:
            ended, event = current.end(now, "membership-ended", ctx.sessions)
            await ctx.store.save_session(ended, session, forget_at=_forget_at(ctx, current))
            _announce(uow, event)
            return "ended", None, None
        await ctx.store.save_session(rotated, session, forget_at=_forget_at(ctx, rotated))
        await ctx.store.spend_refresh_token(presented, rotated.session_id, _forget_at(ctx, rotated), session)
        return "rotated", rotated, member

    outcome, rotated, member = await ctx.run(work)
    if outcome == "reused":
        raise RefreshTokenReusedError()
    if outcome == "ended" or rotated is None or member is None:
        raise MembershipEndedError()
    access = await ctx.issuer.customer(member, rotated.session_id, now)
    return Tokens(access.token, access.expires_in, replacement, rotated.session_id)


async def current_session(ctx: IdentityContext, caller: Principal) -> LoginSession:
    """The live session of a customer's access token; 401 once it has been ended (logout ends it at once)."""
    person_id = caller.require_customer()
    login_session = await ctx.store.login_session(caller.session_id or "")
    if login_session is None or login_session.person_id != person_id or not login_session.is_active(ctx.now()):
        raise SessionEndedError()
    return login_session


async def log_out(ctx: IdentityContext, caller: Principal) -> None:
    """End the session of the caller's access token."""
    live = await current_session(ctx, caller)
    await _end(ctx, live.person_id, live.session_id, "logout")


async def end_session(ctx: IdentityContext, caller: Principal, session_id: str) -> None:
    """End one of the caller's sessions; another person's or an ended one is 404."""
    live = await current_session(ctx, caller)
    await _end(ctx, live.person_id, session_id, "ended-by-person")


async def _end(ctx: IdentityContext, person_id: str, session_id: str, reason: str) -> None:
    now = ctx.now()

    async def work(uow: UnitOfWork) -> None:
        login_session = await ctx.store.login_session(session_id, uow.session)
        if login_session is None or login_session.person_id != person_id or not login_session.is_active(now):
            raise SessionNotFoundError("No such session")
        ended, event = login_session.end(now, reason, ctx.sessions)
        await ctx.store.save_session(ended, uow.session, forget_at=_forget_at(ctx, login_session))
        _announce(uow, event)

    await ctx.run(work)


async def end_all_sessions(
    ctx: IdentityContext, uow: UnitOfWork, person_id: str, reason: str, now: datetime, *, keep: str | None = None
) -> None:
    """End every session of the person but ``keep`` within ``uow``, telling every service to refuse their tokens."""
    for ended in await ctx.store.revoke_sessions(person_id, now, reason, uow.session, keep=keep):
        _announce(uow, ended.ended_event(ctx.sessions, now))


def _announce(uow: UnitOfWork, event: SessionEnded | None) -> None:
    """Publish ``session.ended`` (every service keeps the revocation until the tokens expire)."""
    if event is not None:
        uow.publish(event, f"person/{event.person_id}")


@dataclass(frozen=True)
class SessionPage:
    """One page of the caller's live sessions, and which of them is the caller's own."""

    sessions: list[LoginSession]
    next_cursor: str | None
    current_id: str


async def my_sessions(ctx: IdentityContext, caller: Principal, *, limit: int, cursor: str | None) -> SessionPage:
    """A page of the caller's sessions that are neither ended nor expired, newest first."""
    live = await current_session(ctx, caller)
    found, next_cursor = await ctx.store.sessions_page(live.person_id, ctx.now(), limit=limit, cursor=cursor)
    return SessionPage(found, next_cursor, live.session_id)
