"""Who may keep an answer: nobody by default, shared caches only for declared public
reference data.

Every answer that carries a token or personal data must not be stored anywhere
(RFC 6749 5.1, RFC 9111 5.2.2.5), so ``no-store`` is the default of every answer, problems
and authenticated routes included; a route serving public reference data (charities,
chains, lost-card help) declares ``Cache.public(max_age_s)``.
"""

from dataclasses import dataclass

NO_STORE = "no-store"
"""The default ``Cache-Control`` of every answer (``plussa_shared.http.service_middleware``)."""


@dataclass(frozen=True)
class Cache:
    """A route's caching declaration."""

    max_age_s: int

    @classmethod
    def public(cls, max_age_s: int) -> "Cache":
        """Public reference data any cache may keep for ``max_age_s`` seconds."""
        if max_age_s <= 0:
            raise ValueError("max_age_s must be positive")
        return cls(max_age_s)

    @property
    def header(self) -> str:
        """The ``Cache-Control`` value."""
        return f"public, max-age={self.max_age_s}"
