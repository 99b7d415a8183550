"""Demo data for the dev stack, created through the services' HTTP APIs only."""

from dataclasses import dataclass


class SeedError(RuntimeError):
    """Seeding stopped; the message says at which step."""


@dataclass(frozen=True)
class SeedTargets:
    """Where the services answer, and the environment identity's command line needs."""

    urls: dict[str, str]
    identity_env: dict[str, str]


def seed(targets: SeedTargets) -> str:
    """Create the demo household unless it exists; what to log in with."""
    return "Demo data: nothing to seed yet."
