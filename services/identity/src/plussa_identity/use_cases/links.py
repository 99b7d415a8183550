"""Single-use e-mail link tokens (address verification, password reset)."""

import uuid
from datetime import datetime, timedelta
from typing import Literal

from plussa_identity.adapters.opaque_tokens import new_token, token_hash
from plussa_identity.context import IdentityContext
from plussa_identity.domain.errors import ExpiredLinkTokenError, InvalidLinkTokenError
from plussa_shared.mongo import Document, Session

Purpose = Literal["verify-email", "reset-password"]


async def issue_link(
    ctx: IdentityContext, session: Session, *, purpose: Purpose, person_id: str, email: str, now: datetime, ttl_s: int
) -> tuple[str, datetime]:
    """A new token for ``purpose``; earlier unused ones of the person stop working."""
    token = new_token()
    expires_at = now + timedelta(seconds=ttl_s)
    await ctx.store.void_link_tokens(person_id, purpose, now, session)
    await ctx.store.add_link_token(
        {
            "_id": token_hash(token),
            "purpose": purpose,
            "person_id": person_id,
            "email": email,
            "expires_at": expires_at,
            "used_at": None,
            # kept past expiry so a late use is told "expired", then forgotten
            "forget_at": expires_at + timedelta(days=7),
        },
        session,
    )
    return token, expires_at


async def issue_decoy_link(ctx: IdentityContext, session: Session, *, now: datetime) -> None:
    """The work and writes of ``issue_link`` for an address with no login, so that answering
    takes as long: a record under a purpose no route redeems, for a person who does not
    exist, forgotten by the database at once."""
    token = new_token()
    person_id = f"decoy-{uuid.uuid4().hex}"
    await ctx.store.void_link_tokens(person_id, "decoy", now, session)
    await ctx.store.add_link_token(
        {
            "_id": token_hash(token),
            "purpose": "decoy",
            "person_id": person_id,
            "email": "",
            "expires_at": now,
            "used_at": None,
            "forget_at": now,
        },
        session,
    )


async def redeem_link(
    ctx: IdentityContext, session: Session, *, purpose: Purpose, token: str, now: datetime
) -> Document:
    """The record of a valid token, marked used in this transaction; 400 when unknown, used or expired."""
    hashed = token_hash(token)
    record = await ctx.store.link_token(hashed, purpose, session)
    if record is None or record["used_at"] is not None:
        raise InvalidLinkTokenError()
    if record["expires_at"] <= now:
        raise ExpiredLinkTokenError()
    await ctx.store.use_link_token(hashed, now, session)
    return record
