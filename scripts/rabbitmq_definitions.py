"""Write deploy/rabbitmq/definitions.json, the broker's users, permissions, exchanges,
partner bindings and policies, from the event classes (``make rabbitmq-definitions``).

Users carry no password (an empty hash: nobody can log in as them) until the real
passwords are set from the secret store, as deploy/README.md describes.

``python -m scripts.rabbitmq_definitions [--check]`` (from the repository root)
"""

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from plussa_shared import bus_access
from plussa_shared.bus_access import BusNames
from plussa_shared.events import EventData
from scripts.asyncapi import import_events_packages

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "deploy" / "rabbitmq" / "definitions.json"
VHOST = "plussa"
INTERNAL, PARTNER, PRIVATE_PREFIX = "plussa.events", "plussa.partner", "plussa.private."
POLICIES: list[dict[str, Any]] = [
    {
        # A partner that stops reading must not fill the broker: its queues keep a week at most.
        "vhost": VHOST,
        "name": "partner-queues-bounded",
        "pattern": r"^partner\.",
        "apply-to": "queues",
        "priority": 1,
        "definition": {"message-ttl": 7 * 24 * 3600 * 1000, "max-length": 1_000_000},
    },
]


def users(names: BusNames) -> list[bus_access.BusUser]:
    """Every service, store systems and the example partner."""
    return [
        *(bus_access.service_user(service, names) for service in bus_access.SERVICES),
        bus_access.stores_user(names),
        bus_access.partner_user(bus_access.EXAMPLE_PARTNER, names),
    ]


def service_event_classes() -> list[type[EventData]]:
    """The event classes the services publish (not those a test defines for itself)."""
    packages = {f"plussa_{service}" for service in bus_access.SERVICES}
    return [cls for cls in bus_access.all_event_classes() if cls.__module__.split(".")[0] in packages]


def document() -> dict[str, Any]:
    """The definitions document for production."""
    import_events_packages()
    made = users(BusNames())
    return bus_access.definitions(
        made,
        vhost=VHOST,
        internal=INTERNAL,
        partner=PARTNER,
        private=[PRIVATE_PREFIX + service for service in bus_access.SERVICES],
        partner_keys=bus_access.partner_routing_keys(service_event_classes()),
        passwords={user.name: "" for user in made},
        policies=POLICIES,
    )


def render() -> str:
    """The file's text."""
    return json.dumps(document(), indent=2, sort_keys=True) + "\n"


def main() -> int:
    """Write the file, or with ``--check`` fail when it is out of date."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail if the file differs from the event classes")
    args = parser.parse_args()
    text = render()
    if args.check:
        if not OUTPUT.exists() or OUTPUT.read_text() != text:
            print(f"{OUTPUT.relative_to(ROOT)} is out of date: run make rabbitmq-definitions", file=sys.stderr)
            return 1
        return 0
    OUTPUT.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
