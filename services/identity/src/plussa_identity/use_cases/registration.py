"""Registering with a Plussa card number and verifying the e-mail address."""

from datetime import UTC, date, datetime

from pymongo.errors import DuplicateKeyError

from plussa_identity.bootstrap import Identity
from plussa_identity.domain.account import Account
from plussa_identity.domain.card_numbers import is_valid_card_number, normalise_card_number
from plussa_identity.domain.email_address import canonical_email
from plussa_identity.domain.errors import (
    AlreadyRegisteredError,
    CardNotRecognisedError,
    EmailInUseError,
    InvalidCardNumberError,
    InvalidLinkTokenError,
)
from plussa_identity.domain.members import Language, member_for_registration
from plussa_identity.events.account_events import CustomerRegistered, EmailVerificationRequested, EmailVerified
from plussa_identity.use_cases import throttling
from plussa_identity.use_cases.links import issue_link, redeem_link
from plussa_shared.mongo import Session


async def register(
    identity: Identity,
    *,
    card_number: str,
    date_of_birth: date,
    email: str,
    password: str,
    language: Language,
    address: str,
) -> str:
    """Create the login of the holder of ``card_number``; return their person id.

    Wrong card and date of birth pairs count as failures of the client address, so
    dates of birth cannot be guessed for a known card number."""
    now = datetime.now(UTC)
    number = normalise_card_number(card_number)
    if not is_valid_card_number(number):
        raise InvalidCardNumberError()
    guard = throttling.address_key(identity, "register", address)
    await throttling.check(identity, [guard], now)
    email = canonical_email(email)
    identity.policy.check(password, email=email)
    password_hash = await identity.hasher.hash(password)

    async def work(session: Session) -> str:
        card = await identity.store.card_by_number(number, session)
        member = await identity.store.member(card.person_id, session) if card and card.person_id else None
        member = member_for_registration(card, member, date_of_birth)
        if await identity.store.person_has_account(member.person_id, session):
            raise AlreadyRegisteredError()
        if await identity.store.account_by_email(email, session):
            raise EmailInUseError()
        account = Account(
            person_id=member.person_id,
            email=email,
            password_hash=password_hash,
            language=language,
            first_name=member.first_name,
            last_name=member.last_name,
            created_at=now,
            updated_at=now,
        )
        await identity.store.insert_account(account, session)
        token, expires_at = await issue_link(
            identity,
            session,
            purpose="verify-email",
            person_id=member.person_id,
            email=email,
            now=now,
            ttl_s=identity.settings.email_verification_ttl_s,
        )
        subject = f"person/{member.person_id}"
        registered = CustomerRegistered(
            person_id=member.person_id,
            household_id=str(member.household_id),
            email=email,
            language=language,
            occurred_at=now,
        )
        verification = EmailVerificationRequested(
            person_id=member.person_id, email=email, language=language, token=token, expires_at=expires_at
        )
        await identity.uow.outbox.add(
            session, [identity.event(registered, subject), identity.event(verification, subject)]
        )
        return member.person_id

    try:
        return await identity.run(work)
    except CardNotRecognisedError:
        await throttling.record_failure(identity, [guard], now)
        raise
    except DuplicateKeyError as exc:
        # Two registrations raced; the database's unique indexes decided.
        if "one_login_per_email" in str(exc):
            raise EmailInUseError() from exc
        raise AlreadyRegisteredError() from exc


async def verify_email(identity: Identity, token: str) -> str:
    """Redeem an e-mail verification link; return the address now verified."""
    now = datetime.now(UTC)

    async def work(session: Session) -> str:
        record = await redeem_link(identity, session, purpose="verify-email", token=token, now=now)
        account = await identity.store.account(record["person_id"], session)
        email = str(record["email"])
        if account is None or email not in (account.email, account.pending_email):
            raise InvalidLinkTokenError("The link is for an address this login no longer has")
        if email != account.email and await identity.store.account_by_email(email, session):
            raise EmailInUseError()
        updated = account.model_copy(
            update={
                "email": email,
                "email_verified": True,
                "pending_email": None if email == account.pending_email else account.pending_email,
                "updated_at": now,
            }
        )
        await identity.store.save_account(updated, session)
        verified = EmailVerified(person_id=account.person_id, email=email, occurred_at=now)
        await identity.uow.outbox.add(session, [identity.event(verified, f"person/{account.person_id}")])
        return email

    try:
        return await identity.run(work)
    except DuplicateKeyError as exc:
        raise EmailInUseError() from exc
