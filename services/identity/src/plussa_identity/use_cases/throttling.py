"""Counting failed attempts per account and per client address, and refusing while locked."""

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from plussa_identity.context import IdentityContext
from plussa_identity.domain.errors import ThrottledError
from plussa_identity.domain.throttle import ThrottlePolicy
from plussa_shared.context import UnitOfWork
from plussa_shared.mongo import Session


@dataclass(frozen=True)
class ThrottleKey:
    """What is counted (never a plain e-mail address) and under which policy."""

    key: str
    policy: ThrottlePolicy


def account_key(ctx: IdentityContext, email: str) -> ThrottleKey:
    """Failed logins for one e-mail address, known or not (so the answer tells nothing)."""
    digest = hashlib.sha256(email.encode()).hexdigest()
    return ThrottleKey(f"account:{digest}", ctx.account_throttle)


def address_key(ctx: IdentityContext, purpose: str, address: str) -> ThrottleKey:
    """Failed attempts of one kind from one client address."""
    return ThrottleKey(f"{purpose}:{address}", ctx.address_throttle)


async def check(ctx: IdentityContext, keys: Sequence[ThrottleKey], now: datetime) -> None:
    """Raise 429 with Retry-After while any of ``keys`` is locked."""
    waits = []
    for item in keys:
        state = await ctx.store.throttle(item.key)
        wait = state.retry_after(now)
        if wait is not None:
            waits.append(wait)
    if waits:
        seconds = max(1, math.ceil(max(waits).total_seconds()))
        raise ThrottledError(f"Try again in {seconds} seconds", retry_after=seconds)


async def count_failure(ctx: IdentityContext, keys: Sequence[ThrottleKey], now: datetime, session: Session) -> None:
    """Count one failure on each key within ``session``'s transaction."""
    for item in keys:
        state = (await ctx.store.throttle(item.key, session)).after_failure(item.policy, now)
        await ctx.store.save_throttle(item.key, state, state.forgotten_at(item.policy), session)


async def record_failure(ctx: IdentityContext, keys: Sequence[ThrottleKey], now: datetime) -> None:
    """Count one failure on each key in a transaction of its own, which commits although the
    attempt it counts is refused; concurrent failures are counted one by one."""

    async def work(uow: UnitOfWork) -> None:
        await count_failure(ctx, keys, now, uow.session)

    await ctx.run(work)
