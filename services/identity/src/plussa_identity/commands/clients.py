"""Creating service and operator credentials from the command line, for bootstrapping.

    python -m plussa_identity.commands.clients create --client-id till-1 \
        --scopes "points:spend cards:lookup" [--kind service]

Reads the same PLUSSA_IDENTITY_* settings as the service (database, hashing
parameters). Prints the generated secret once, alone on standard output; it is
stored only as an argon2id hash. ``--replace`` gives an existing client a new
secret and the given scopes instead of failing.
"""

import argparse
import asyncio
import sys
from functools import partial

from plussa_identity.context import IdentityContext
from plussa_identity.settings import IdentitySettings
from plussa_identity.store import INDEXES
from plussa_identity.use_cases.service_clients import ClientKind, NewClient, create_client
from plussa_shared.commands import command_context
from plussa_shared.domain import DomainError


def main(argv: list[str] | None = None) -> int:
    """Run the command; the exit status is 0 on success, 1 when the client exists or the input is wrong."""
    parser = argparse.ArgumentParser(prog="python -m plussa_identity.commands.clients")
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create", help="create a client and print its secret")
    create.add_argument("--client-id", required=True)
    create.add_argument("--scopes", required=True, help='space-separated, e.g. "points:spend cards:lookup"')
    create.add_argument("--kind", choices=["service", "operator"], default="service")
    create.add_argument("--replace", action="store_true", help="give an existing client a new secret")
    args = parser.parse_args(argv)
    settings = IdentitySettings()
    try:
        created = asyncio.run(_create(settings, args.client_id, args.scopes.split(), args.kind, args.replace))
    except DomainError as exc:
        sys.stderr.write(f"{exc.detail}\n")
        return 1
    sys.stderr.write(f"created {created.kind} client {created.client_id} with scopes {' '.join(created.scopes)}\n")
    sys.stdout.write(created.client_secret + "\n")
    return 0


async def _create(
    settings: IdentitySettings, client_id: str, scopes: list[str], kind: ClientKind, replace: bool
) -> NewClient:
    async with command_context(settings, partial(IdentityContext.build, settings), INDEXES) as ctx:
        return await create_client(ctx, client_id, scopes, kind, replace=replace)


if __name__ == "__main__":
    sys.exit(main())
