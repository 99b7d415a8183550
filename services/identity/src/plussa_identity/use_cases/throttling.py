"""Counting failed attempts per account and per client address, and refusing while locked
or while as many checks as may run are under way."""

import hashlib
import math
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

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


@asynccontextmanager
async def checking(ctx: IdentityContext, keys: Sequence[ThrottleKey], now: datetime) -> AsyncIterator[None]:
    """Run the block as one check of ``keys`` (a password, a client secret, a card and date of birth).

    The check is counted as running on every key atomically BEFORE the block runs, and is
    refused with 429 (Retry-After) while a key is locked or while as many checks as its
    streak allows are already running, so parallel guesses cannot outrun the limit by the
    number in flight. The block records its failure (``record_failure``/``count_failure``);
    the running count is given back when it ends, however it ends."""
    lease_until = now + timedelta(seconds=ctx.settings.attempt_lease_s)
    started: list[ThrottleKey] = []
    try:
        waits = []
        for item in keys:
            state, running = await ctx.store.start_check(item.key, now, lease_until)
            started.append(item)
            wait = state.admits(running, item.policy, now)
            if wait is not None:
                waits.append(wait)
        if waits:
            seconds = max(1, math.ceil(max(waits).total_seconds()))
            raise ThrottledError(f"Try again in {seconds} seconds", retry_after=seconds)
        yield
    finally:
        for item in started:
            await ctx.store.end_check(item.key)


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
