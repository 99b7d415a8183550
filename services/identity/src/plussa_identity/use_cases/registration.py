"""Registering with a Plussa card number and verifying the e-mail address."""

from datetime import date

from plussa_identity.context import IdentityContext
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
from plussa_identity.events.published import CustomerRegistered, EmailVerificationRequested, EmailVerified
from plussa_identity.use_cases import throttling
from plussa_identity.use_cases.links import issue_link, redeem_link
from plussa_identity.use_cases.profile import profile_updated
from plussa_shared.context import UnitOfWork


async def register(
    ctx: IdentityContext,
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
    now = ctx.now()
    number = normalise_card_number(card_number)
    if not is_valid_card_number(number):
        raise InvalidCardNumberError()
    guard = throttling.address_key(ctx, "register", address)
    email = canonical_email(email)
    ctx.policy.check(password, email=email)

    async def work(uow: UnitOfWork) -> str:
        card = await ctx.store.card_by_number(number, uow.session)
        member = await ctx.store.member(card.person_id, uow.session) if card and card.person_id else None
        member = member_for_registration(card, member, date_of_birth)
        if await ctx.store.person_has_account(member.person_id, uow.session):
            raise AlreadyRegisteredError()
        if await ctx.store.account_by_email(email, uow.session):
            raise EmailInUseError()
        account = Account(
            person_id=member.person_id,
            email=email,
            password_hash=password_hash,
            language=language,
            created_at=now,
            updated_at=now,
        )
        await _open_account(ctx, uow, account, str(member.household_id))
        return member.person_id

    async with throttling.checking(ctx, [guard], now):
        password_hash = await ctx.hasher.hash(password)
        try:
            # Two registrations racing for one person or e-mail: the unique indexes let one
            # win, and ctx.run's second run finds its login and refuses as a sequential one would.
            return await ctx.run(work)
        except CardNotRecognisedError:
            await throttling.record_failure(ctx, [guard], now)
            raise


async def _open_account(ctx: IdentityContext, uow: UnitOfWork, account: Account, household_id: str) -> None:
    """Store the new login and ask for its address to be verified."""
    now, person_id, email = account.created_at, account.person_id, account.email
    await ctx.store.insert_account(account, uow.session)
    token, expires_at = await issue_link(
        ctx,
        uow.session,
        purpose="verify-email",
        person_id=person_id,
        email=email,
        now=now,
        ttl_s=ctx.settings.email_verification_ttl_s,
    )
    subject = f"person/{person_id}"
    registered = CustomerRegistered(
        person_id=person_id, household_id=household_id, email=email, language=account.language, occurred_at=now
    )
    uow.publish(registered, subject)
    verification = EmailVerificationRequested(
        person_id=person_id, email=email, language=account.language, token=token, expires_at=expires_at
    )
    uow.publish(verification, subject)


async def verify_email(ctx: IdentityContext, token: str) -> str:
    """Redeem an e-mail verification link; return the address now verified."""
    now = ctx.now()

    async def work(uow: UnitOfWork) -> str:
        record = await redeem_link(ctx, uow.session, purpose="verify-email", token=token, now=now)
        account = await ctx.store.account(record["person_id"], uow.session)
        email = str(record["email"])
        if account is None or email not in (account.email, account.pending_email):
            raise InvalidLinkTokenError("The link is for an address this login no longer has")
        if email != account.email and await ctx.store.account_by_email(email, uow.session):
            raise EmailInUseError()
        updated = account.model_copy(
            update={
                "email": email,
                "email_verified": True,
                "pending_email": None if email == account.pending_email else account.pending_email,
                "updated_at": now,
            }
        )
        await ctx.store.save_account(updated, uow.session)
        subject = f"person/{account.person_id}"
        uow.publish(EmailVerified(person_id=account.person_id, email=email, occurred_at=now), subject)
        if email != account.email:
            # a changed address: consumers of the profile learn it with the other profile facts
            member = await ctx.store.member(account.person_id, uow.session)
            uow.publish(profile_updated(updated, member, ["email"], now), subject)
        return email

    return await ctx.run(work)
