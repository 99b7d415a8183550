"""What a password must be: long enough, not absurdly long, not a known leaked one,
and not the person's own e-mail address. Composition rules (a digit, a capital...)
are left out on purpose: they make passwords harder to remember, not to guess."""

from collections.abc import Collection
from dataclasses import dataclass

from plussa_identity.domain.errors import BreachedPasswordError, WeakPasswordError, field_problem


@dataclass(frozen=True)
class PasswordPolicy:
    """The policy with its figures and the bundled list of breached passwords (lower case)."""

    min_length: int
    max_length: int
    breached: Collection[str]

    def check(self, password: str, *, email: str | None = None, pointer: str = "/password") -> None:
        """Raise a problem naming what is wrong with ``password`` (the body field at ``pointer``);
        return when it is acceptable."""
        if len(password) < self.min_length:
            raise _weak(pointer, "too_short", f"Use at least {self.min_length} characters")
        if len(password) > self.max_length:
            raise _weak(pointer, "too_long", f"Use at most {self.max_length} characters")
        if len(set(password)) < 3:
            raise _weak(pointer, "repetitive", "Use more than one or two different characters")
        lowered = password.lower()
        if lowered in self.breached or lowered.strip() in self.breached:
            detail = "Choose a password that is not on lists of leaked passwords"
            raise BreachedPasswordError(detail, errors=[field_problem("breached", detail, pointer)])
        if email:
            local = email.lower().partition("@")[0]
            if lowered == email.lower() or (len(local) >= 4 and local in lowered and len(lowered) - len(local) < 4):
                raise _weak(pointer, "from_email", "Do not build the password from your e-mail address")


def _weak(pointer: str, code: str, detail: str) -> WeakPasswordError:
    return WeakPasswordError(detail, errors=[field_problem(code, detail, pointer)])
