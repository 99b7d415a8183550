"""What a password must be: long enough, not absurdly long, not a known leaked one,
and not the person's own e-mail address. Composition rules (a digit, a capital...)
are left out on purpose: they make passwords harder to remember, not to guess."""

from collections.abc import Collection
from dataclasses import dataclass

from plussa_identity.domain.errors import BreachedPasswordError, WeakPasswordError


@dataclass(frozen=True)
class PasswordPolicy:
    """The policy with its figures and the bundled list of breached passwords (lower case)."""

    min_length: int
    max_length: int
    breached: Collection[str]

    def check(self, password: str, *, email: str | None = None) -> None:
        """Raise a problem naming what is wrong with ``password``; return when it is acceptable."""
        if len(password) < self.min_length:
            raise WeakPasswordError(
                f"Use at least {self.min_length} characters", reason="too-short", min_length=self.min_length
            )
        if len(password) > self.max_length:
            raise WeakPasswordError(
                f"Use at most {self.max_length} characters", reason="too-long", max_length=self.max_length
            )
        if len(set(password)) < 3:
            raise WeakPasswordError("Use more than one or two different characters", reason="repetitive")
        lowered = password.lower()
        if lowered in self.breached or lowered.strip() in self.breached:
            raise BreachedPasswordError("Choose a password that is not on lists of leaked passwords")
        if email:
            local = email.lower().partition("@")[0]
            if lowered == email.lower() or (len(local) >= 4 and local in lowered and len(lowered) - len(local) < 4):
                raise WeakPasswordError("Do not build the password from your e-mail address", reason="email")
