"""Add a chain or partner people can choose e-mail from, without a code change.

    python -m plussa_notifications.commands.add_chain --id k-kenka --kind partner \\
        --fi "K-Kenkä" --sv "K-Sko" --en "K-Shoe"

Reads the service's settings from the environment (PLUSSA_NOTIFICATIONS_*), like the service.
"""

import argparse
import asyncio
import sys

from pydantic import ValidationError

from plussa_notifications.context import NotificationsContext
from plussa_notifications.domain.chains import Chain
from plussa_notifications.settings import NotificationsSettings
from plussa_notifications.store import INDEXES
from plussa_notifications.use_cases.chains import add_chain
from plussa_shared.commands import prepare_database
from plussa_shared.domain import DomainError
from plussa_shared.mongo import create_client
from plussa_shared.outbox import Outbox


async def run(settings: NotificationsSettings, chain: Chain) -> None:
    """Add ``chain`` to the service's database."""

    # shared.commands.command_context is typed for ServiceContext[ServiceSettings] (its type
    # variable is invariant in the settings), so the same steps are spelt out here.
    client = create_client(str(settings.mongo_url), app_name="notifications-add-chain")
    try:
        db = client[settings.mongo_database]
        await prepare_database(db, INDEXES)
        ctx = NotificationsContext(settings=settings, client=client, db=db, outbox=Outbox(db))
        await add_chain(ctx, chain)
    finally:
        await client.close()


def main(argv: list[str] | None = None) -> int:
    """Parse the arguments, add the chain, and say what happened."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--id", required=True, help="lower-case ASCII id, e.g. k-kenka")
    parser.add_argument("--kind", choices=["chain", "partner"], required=True)
    for language in ("fi", "sv", "en"):
        parser.add_argument(f"--{language}", required=True, help=f"the name in {language}")
    args = parser.parse_args(argv)
    try:
        chain = Chain.model_validate(
            {"chain_id": args.id, "kind": args.kind, "names": {"fi": args.fi, "sv": args.sv, "en": args.en}},
            strict=False,
        )
        asyncio.run(run(NotificationsSettings(), chain))
    except (ValidationError, DomainError) as exc:
        sys.stderr.write(f"not added: {exc}\n")
        return 1
    sys.stdout.write(f"added {chain.kind.value} {chain.chain_id}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
