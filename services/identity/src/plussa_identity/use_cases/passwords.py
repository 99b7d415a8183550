"""Changing the password, and resetting a forgotten one by e-mail."""

from datetime import UTC, datetime

from plussa_identity.bootstrap import Identity
from plussa_identity.domain.email_address import canonical_email
from plussa_identity.domain.errors import InvalidCredentialsError, InvalidEmailError, InvalidLinkTokenError
from plussa_identity.events.account_events import PasswordChanged, PasswordResetRequested
from plussa_identity.opaque_tokens import token_hash
from plussa_identity.use_cases import throttling
from plussa_identity.use_cases.links import issue_link, redeem_link
from plussa_shared.errors import NotFoundError
from plussa_shared.mongo import Session


async def change_password(
    identity: Identity, *, person_id: str, session_id: str, current: str, new: str, address: str
) -> None:
    """Replace the password after checking the current one; every other session ends."""
    now = datetime.now(UTC)
    account = await identity.store.account(person_id)
    if account is None:
        raise NotFoundError("No login", slug="account-not-found")
    guards = [throttling.account_key(identity, account.email), throttling.address_key(identity, "login", address)]
    await throttling.check(identity, guards, now)
    if not await identity.hasher.verify(account.password_hash, current):
        await throttling.record_failure(identity, guards, now)
        raise InvalidCredentialsError("The current password is wrong")
    identity.policy.check(new, email=account.email)
    new_hash = await identity.hasher.hash(new)

    async def work(session: Session) -> None:
        latest = await identity.store.account(person_id, session)
        if latest is None:
            raise NotFoundError("No login", slug="account-not-found")
        await identity.store.save_account(
            latest.model_copy(update={"password_hash": new_hash, "updated_at": now}), session
        )
        await identity.store.revoke_sessions(person_id, now, "password-changed", session, keep=session_id)
        changed = PasswordChanged(person_id=person_id, occurred_at=now)
        await identity.uow.outbox.add(session, [identity.event(changed, f"person/{person_id}")])

    await identity.run(work)


async def request_reset(identity: Identity, email: str, address: str) -> None:
    """Send a reset link if the address has a login; the caller answers 202 either way."""
    now = datetime.now(UTC)
    guard = throttling.address_key(identity, "reset", address)
    await throttling.check(identity, [guard], now)
    try:
        email = canonical_email(email)
    except InvalidEmailError:
        return
    # Every request counts against the address, known e-mail or not, so the lock
    # says nothing about accounts and flooding someone's mailbox is bounded.
    await throttling.record_failure(identity, [guard], now)

    async def work(session: Session) -> None:
        account = await identity.store.account_by_email(email, session)
        if account is None:
            return
        token, expires_at = await issue_link(
            identity,
            session,
            purpose="reset-password",
            person_id=account.person_id,
            email=account.email,
            now=now,
            ttl_s=identity.settings.password_reset_ttl_s,
        )
        requested = PasswordResetRequested(
            person_id=account.person_id,
            email=account.email,
            language=account.language,
            token=token,
            expires_at=expires_at,
        )
        await identity.uow.outbox.add(session, [identity.event(requested, f"person/{account.person_id}")])

    await identity.run(work)


async def confirm_reset(identity: Identity, token: str, new: str) -> None:
    """Set a new password with a reset link: single use; every session ends; the lock is lifted."""
    now = datetime.now(UTC)

    async def check_token(session: Session) -> str:
        # Read-only look first, so a weak new password does not use the token up.
        record = await identity.store.link_token(token_hash(token), "reset-password", session)
        if record is None:
            raise InvalidLinkTokenError()
        return str(record["email"])

    email = await identity.run(check_token)
    identity.policy.check(new, email=email)
    new_hash = await identity.hasher.hash(new)

    async def work(session: Session) -> str:
        record = await redeem_link(identity, session, purpose="reset-password", token=token, now=now)
        account = await identity.store.account(record["person_id"], session)
        if account is None or account.email != record["email"]:
            raise InvalidLinkTokenError("The link is for an address this login no longer has")
        # Following the link proves the mailbox is the person's.
        updated = account.model_copy(update={"password_hash": new_hash, "email_verified": True, "updated_at": now})
        await identity.store.save_account(updated, session)
        await identity.store.revoke_sessions(account.person_id, now, "password-reset", session)
        changed = PasswordChanged(person_id=account.person_id, occurred_at=now)
        await identity.uow.outbox.add(session, [identity.event(changed, f"person/{account.person_id}")])
        return account.email

    email = await identity.run(work)
    await throttling.clear(identity, throttling.account_key(identity, email))
