"""Hashing passwords and secrets with argon2id, off the event loop, and the bundled
list of breached passwords."""

import asyncio
from functools import cache
from importlib.resources import files

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from plussa_identity.domain.password_policy import PasswordPolicy
from plussa_identity.settings import IdentitySettings

BREACHED_LIST = "breached-passwords.txt"


@cache
def breached_passwords() -> frozenset[str]:
    """The bundled list of commonly used and leaked passwords, lower case."""
    text = files("plussa_identity.data").joinpath(BREACHED_LIST).read_text(encoding="utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def password_policy(settings: IdentitySettings) -> PasswordPolicy:
    """The policy with the figures from settings."""
    return PasswordPolicy(settings.password_min_length, settings.password_max_length, breached_passwords())


class Hasher:
    """argon2id with the parameters from settings.

    ``verify`` of an unknown account runs against a dummy hash made with the same
    parameters, so it takes as long as a wrong password of a real account."""

    def __init__(self, settings: IdentitySettings) -> None:
        self._hasher = PasswordHasher(
            time_cost=settings.argon2_time_cost,
            memory_cost=settings.argon2_memory_cost_kib,
            parallelism=settings.argon2_parallelism,
        )
        self._dummy = self._hasher.hash("not a real password, only spends the time of one")

    async def hash(self, secret: str) -> str:
        """A new argon2id hash of ``secret``."""
        return await asyncio.to_thread(self._hasher.hash, secret)

    async def verify(self, stored: str | None, secret: str) -> bool:
        """Whether ``secret`` matches ``stored``; with no stored hash, spend the same time and say no."""
        try:
            return await asyncio.to_thread(self._hasher.verify, stored or self._dummy, secret) and stored is not None
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored: str) -> bool:
        """Whether ``stored`` was made with other parameters than the current ones."""
        return self._hasher.check_needs_rehash(stored)
