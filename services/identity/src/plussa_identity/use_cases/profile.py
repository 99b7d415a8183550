"""The person's profile ("Omat tiedot"): reading it and changing it."""

from datetime import UTC, datetime
from typing import Any

from plussa_identity.bootstrap import Identity
from plussa_identity.domain.account import Account
from plussa_identity.domain.email_address import canonical_email
from plussa_identity.domain.errors import EmailInUseError
from plussa_identity.events.account_events import EmailVerificationRequested, ProfileUpdated
from plussa_identity.use_cases.links import issue_link
from plussa_shared.errors import NotFoundError
from plussa_shared.mongo import Session


async def profile(identity: Identity, person_id: str) -> Account:
    """The person's login and profile."""
    account = await identity.store.account(person_id)
    if account is None:
        raise NotFoundError("No login", slug="account-not-found")
    return account


async def update_profile(identity: Identity, person_id: str, changes: dict[str, Any]) -> Account:
    """Apply ``changes``; a new e-mail address waits for verification before it replaces the old."""
    now = datetime.now(UTC)
    new_email = canonical_email(changes.pop("email")) if changes.get("email") is not None else None

    async def work(session: Session) -> Account:
        account = await identity.store.account(person_id, session)
        if account is None:
            raise NotFoundError("No login", slug="account-not-found")
        applied = {k: v for k, v in changes.items() if getattr(account, k) != v}
        updated = account.model_copy(update={**applied, "updated_at": now})
        events = []
        subject = f"person/{person_id}"
        if new_email is not None and new_email != account.email:
            if await identity.store.account_by_email(new_email, session):
                raise EmailInUseError()
            updated = updated.model_copy(update={"pending_email": new_email})
            token, expires_at = await issue_link(
                identity,
                session,
                purpose="verify-email",
                person_id=person_id,
                email=new_email,
                now=now,
                ttl_s=identity.settings.email_verification_ttl_s,
            )
            language = str(applied.get("language", account.language))
            verification = EmailVerificationRequested(
                person_id=person_id, email=new_email, language=language, token=token, expires_at=expires_at
            )
            events.append(identity.event(verification, subject))
        if applied:
            published = ProfileUpdated(
                person_id=person_id,
                changed=sorted(applied),
                first_name=updated.first_name,
                last_name=updated.last_name,
                email=updated.email,
                phone=updated.phone,
                language=updated.language,
                postal_address=updated.postal_address.model_dump() if updated.postal_address else None,
                occurred_at=now,
            )
            events.append(identity.event(published, subject))
        if applied or updated.pending_email != account.pending_email:
            await identity.store.save_account(updated, session)
            await identity.uow.outbox.add(session, events)
        return updated

    return await identity.run(work)
