"""Throttling failed logins: a streak of failures locks a key (an account or a client
address) for a window that doubles with each further failure, up to a maximum.

Every lock expires by itself, and a streak is forgotten after a quiet period, so a
guesser can delay a real user for at most the maximum window at a time and never
lock them out for good; identity also exempts an address the account logged in from
lately from the account's lock, and a password reset by e-mail clears it.

Parallel guesses are bounded too: a check is counted as running (atomically, before
it starts) and is admitted only while the running checks fit in what the streak has
left, so a burst cannot get more checks than the same guesses one after another.
"""

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

RUNNING_WAIT = timedelta(seconds=1)
"""How long to wait when as many checks as may run are under way (each takes well under a second)."""


@dataclass(frozen=True)
class ThrottlePolicy:
    """``free_failures`` are allowed; the next one locks for ``base``, then 2x, 4x... up to ``maximum``."""

    free_failures: int
    base: timedelta
    maximum: timedelta
    forget_after: timedelta


@dataclass(frozen=True)
class ThrottleState:
    """Failures in the current streak and until when the key is locked."""

    failures: int = 0
    last_failure_at: datetime | None = None
    locked_until: datetime | None = None

    def retry_after(self, now: datetime) -> timedelta | None:
        """How long the key is still locked, or None when it is not."""
        if self.locked_until is None or self.locked_until <= now:
            return None
        return self.locked_until - now

    def streak(self, policy: ThrottlePolicy, now: datetime) -> int:
        """Failures that still count at ``now`` (a streak is forgotten after a quiet period)."""
        if self.last_failure_at is None or now - self.last_failure_at >= policy.forget_after:
            return 0
        return self.failures

    def admits(self, running: int, policy: ThrottlePolicy, now: datetime) -> timedelta | None:
        """None when a check may run with ``running`` checks (this one included) under way;
        otherwise how long to wait. While unlocked, the checks under way may use the free
        failures left in the streak, and one at a time once they are used up (its failure locks)."""
        wait = self.retry_after(now)
        if wait is not None:
            return wait
        if running > max(1, policy.free_failures - self.streak(policy, now)):
            return RUNNING_WAIT
        return None

    def after_failure(self, policy: ThrottlePolicy, now: datetime) -> "ThrottleState":
        """The state once one more attempt failed at ``now``."""
        streak = self.streak(policy, now) + 1
        locked_until = self.locked_until
        if streak > policy.free_failures:
            doublings = min(streak - policy.free_failures - 1, 30)
            window = min(policy.base * (2**doublings), policy.maximum)
            locked_until = now + window
        return replace(self, failures=streak, last_failure_at=now, locked_until=locked_until)

    def forgotten_at(self, policy: ThrottlePolicy) -> datetime | None:
        """When nothing of this state matters any more (for the store's expiry)."""
        ends = [
            t for t in (self.locked_until, self.last_failure_at and self.last_failure_at + policy.forget_after) if t
        ]
        return max(ends) if ends else None
