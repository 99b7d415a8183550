"""Rotating the token signing key from the command line, as ``POST /v1/keys/rotate`` does.

    python -m plussa_identity.commands.rotate_keys

Reads the same PLUSSA_IDENTITY_* settings as the service (database, key-encryption
secret). A new key signs from now on (running replicas pick it up within
``key_refresh_s``); the old one stays in the JWKS until the tokens it signed have
expired. Prints the new key's ``kid`` on standard output.
"""

import argparse
import asyncio
import sys
from functools import partial

from plussa_identity.context import IdentityContext
from plussa_identity.settings import IdentitySettings
from plussa_identity.store import INDEXES
from plussa_identity.use_cases.signing_keys import rotate_keys
from plussa_shared.commands import command_context
from plussa_shared.logging import configure_logging


def main(argv: list[str] | None = None) -> int:
    """Rotate the key; the exit status is 0 on success."""
    argparse.ArgumentParser(prog="python -m plussa_identity.commands.rotate_keys", description=__doc__).parse_args(argv)
    settings = IdentitySettings()
    # Standard output carries only the kid, for scripts; the log goes to standard error.
    configure_logging(settings.log_format, settings.log_level, stream=sys.stderr)
    kid = asyncio.run(_rotate(settings))
    sys.stdout.write(kid + "\n")
    return 0


async def _rotate(settings: IdentitySettings) -> str:
    async with command_context(settings, partial(IdentityContext.build, settings), INDEXES) as ctx:
        return await rotate_keys(ctx)


if __name__ == "__main__":
    sys.exit(main())
