"""Logging in, refreshing, logging out, and the person's list of sessions."""

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from plussa_identity.bootstrap import Identity
from plussa_identity.domain.email_address import canonical_email
from plussa_identity.domain.errors import (
    EmailNotVerifiedError,
    InvalidCredentialsError,
    InvalidEmailError,
    InvalidRefreshTokenError,
    MembershipEndedError,
    RefreshTokenReusedError,
    SessionEndedError,
)
from plussa_identity.domain.login_session import LoginSession, on_spent_token
from plussa_identity.domain.members import MemberView
from plussa_identity.opaque_tokens import new_token, token_hash
from plussa_identity.use_cases import throttling
from plussa_shared.auth import Principal
from plussa_shared.errors import NotFoundError
from plussa_shared.mongo import Session


@dataclass(frozen=True)
class Tokens:
    """What a login or refresh hands out."""

    access_token: str
    expires_in: int
    refresh_token: str
    session_id: str


async def login(identity: Identity, *, email: str, password: str, address: str, user_agent: str | None) -> Tokens:
    """Check the password and start a session.

    An unknown address and a wrong password answer alike and take alike: the hash is
    verified against a dummy when there is no account, and both count as failures."""
    now = datetime.now(UTC)
    try:
        email = canonical_email(email)
    except InvalidEmailError:
        email = email.strip().lower()
    account = await identity.store.account_by_email(email)
    person_id = account.person_id if account else ""
    account_guard = throttling.account_key(identity, email)
    address_guard = throttling.address_key(identity, "login", address)
    trusted = await identity.store.is_trusted_address(person_id, address, now)
    guards = [address_guard] if trusted and account else [account_guard, address_guard]
    await throttling.check(identity, guards, now)
    valid = await identity.hasher.verify(account.password_hash if account else None, password)
    if account is None or not valid:
        await throttling.record_failure(identity, guards, now)
        raise InvalidCredentialsError()
    if identity.hasher.needs_rehash(account.password_hash):
        rehashed = await identity.hasher.hash(password)
        await identity.store.set_password_hash(account.person_id, rehashed)
    if not account.email_verified:
        raise EmailNotVerifiedError()
    member = await identity.store.member(account.person_id)
    if member is None or not member.is_member:
        raise MembershipEndedError()
    await throttling.clear(identity, account_guard)
    trust_until = now + timedelta(days=identity.settings.trusted_address_days)
    await identity.store.trust_address(account.person_id, address, trust_until)
    return await _start_session(identity, member, now, address=address, user_agent=user_agent)


async def _start_session(
    identity: Identity, member: MemberView, now: datetime, *, address: str, user_agent: str | None
) -> Tokens:
    refresh = new_token()
    login_session = LoginSession.start(
        session_id=uuid.uuid4().hex,
        person_id=member.person_id,
        token_hash=token_hash(refresh),
        now=now,
        policy=identity.sessions,
        user_agent=(user_agent or "")[:200] or None,
        address=address,
    )

    async def work(session: Session) -> None:
        await identity.store.save_session(login_session, session, forget_at=_forget_at(identity, login_session))

    await identity.run(work)
    access = await identity.issuer.customer(member, login_session.session_id, now)
    return Tokens(access.token, access.expires_in, refresh, login_session.session_id)


def _forget_at(identity: Identity, login_session: LoginSession) -> datetime:
    return login_session.created_at + identity.sessions.max_age


async def refresh(identity: Identity, refresh_token: str) -> Tokens:
    """Exchange a refresh token for new tokens; a spent one ends its whole session.

    Household and role are read again, so a person removed from the household
    cannot refresh."""
    now = datetime.now(UTC)
    presented = token_hash(refresh_token)
    replacement = new_token()

    async def work(session: Session) -> tuple[str, LoginSession | None, MemberView | None]:
        current = await identity.store.session_by_token(presented, session)
        if current is None:
            owner = await identity.store.session_by_spent_token(presented, session)
            if owner is None:
                raise InvalidRefreshTokenError()
            await identity.store.save_session(
                on_spent_token(owner, now), session, forget_at=_forget_at(identity, owner)
            )
            return "reused", None, None
        rotated = current.rotated(presented, token_hash(replacement), now, identity.sessions)
        member = await identity.store.member(current.person_id, session)
        account = await identity.store.account(current.person_id, session)
        if member is None or account is None or not member.is_member:
            ended = current.revoked(now, "membership-ended")
            await identity.store.save_session(ended, session, forget_at=_forget_at(identity, current))
            return "ended", None, None
        await identity.store.save_session(rotated, session, forget_at=_forget_at(identity, rotated))
        await identity.store.spend_refresh_token(presented, rotated.session_id, _forget_at(identity, rotated), session)
        return "rotated", rotated, member

    outcome, rotated, member = await identity.run(work)
    if outcome == "reused":
        raise RefreshTokenReusedError()
    if outcome == "ended" or rotated is None or member is None:
        raise MembershipEndedError()
    access = await identity.issuer.customer(member, rotated.session_id, now)
    return Tokens(access.token, access.expires_in, replacement, rotated.session_id)


async def current_session(identity: Identity, principal: Principal) -> LoginSession:
    """The live session of a customer's access token; 401 once it has been ended."""
    person_id = principal.require_customer()
    login_session = await identity.store.login_session(principal.session_id or "")
    if login_session is None or login_session.person_id != person_id or not login_session.is_active(datetime.now(UTC)):
        raise SessionEndedError()
    return login_session


async def end_session(identity: Identity, person_id: str, session_id: str, reason: str) -> None:
    """End one of the person's sessions; another person's or an ended one is 404."""
    now = datetime.now(UTC)

    async def work(session: Session) -> None:
        login_session = await identity.store.login_session(session_id, session)
        if login_session is None or login_session.person_id != person_id or not login_session.is_active(now):
            raise NotFoundError("No such session", slug="session-not-found")
        ended = login_session.revoked(now, reason)
        await identity.store.save_session(ended, session, forget_at=_forget_at(identity, login_session))

    await identity.run(work)


async def active_sessions(identity: Identity, person_id: str) -> list[LoginSession]:
    """The person's sessions that are neither ended nor expired, newest first."""
    return await identity.store.active_sessions(person_id, datetime.now(UTC))
