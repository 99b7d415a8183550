"""The keys identity signs tokens with: publishing them and rotating the one that signs."""

from typing import Any

import structlog

from plussa_identity.context import IdentityContext
from plussa_shared.context import UnitOfWork

log = structlog.get_logger(__name__)


async def published_keys(ctx: IdentityContext) -> dict[str, Any]:
    """The JWKS: the active key and the recently retired ones that still verify tokens."""
    return await ctx.keys.jwks()


async def rotate_keys(ctx: IdentityContext) -> str:
    """Make a new key the signer and return its ``kid``; the old one stays published until its tokens expire."""
    now = ctx.now()
    document = ctx.keys.new_key(now)

    async def work(uow: UnitOfWork) -> None:
        await ctx.store.replace_active_signing_key(document, now, uow.session)

    await ctx.run(work)
    ctx.keys.forget_cached()
    log.info("signing_key_rotated", kid=document["_id"])
    return str(document["_id"])
