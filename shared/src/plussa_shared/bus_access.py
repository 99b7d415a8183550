"""Who may do what on the broker: users, permissions and exchanges, as RabbitMQ
definitions.

One broker user per service, one for store systems and one per partner chain:

- a service configures only its own queues (and its own requeue exchange), reads the
  internal exchange and its own private exchange, and writes the internal exchange
  and the private exchanges, where a topic permission lets it publish only routing
  keys of its own event types (``<service>.``);
- store systems only write their ``stores.`` events to the internal exchange;
- a partner declares and binds queues named ``partner.<name>.`` on the partner
  exchange and nothing else; it can publish nowhere.

Exchanges are made by the definitions (services only declare them passively). The
partner exchange receives, through exchange-to-exchange bindings, exactly the event
types whose class is marked ``partner = True``.

The same code writes ``deploy/rabbitmq/definitions.json`` (production names), sets up
the local broker of ``make run`` and the per-session users of the tests, so the tests
run under the permissions production has.
"""

import base64
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from plussa_shared.events import EventData, routing_key_for

SERVICES = ("identity", "cards", "points", "benefits", "notifications", "receipts")
STORES_USER = "stores"
EXAMPLE_PARTNER = "example"
SBIN_DIRS = ("/usr/sbin", "/usr/local/sbin", "/sbin")


@dataclass(frozen=True)
class BusNames:
    """Regular expressions naming one deployment's exchanges and queues.

    Production names are fixed (``plussa.events``...); a test session's names are
    patterns covering every test exchange of that session only.
    """

    internal: str = r"plussa\.events"
    partner: str = r"plussa\.partner"
    private_prefix: str = r"plussa\.private\."
    queue_prefix: str = ""
    partner_queue_prefix: str = r"partner\."

    @classmethod
    def for_test_session(cls, session_id: str) -> "BusNames":
        """Names of the exchanges and queues the tests of session ``session_id`` make
        (``test.<session id><test id>``, see ``plussa_shared.testing.plugin``)."""
        stem = rf"test\.{re.escape(session_id)}[0-9a-f]+"
        return cls(stem, rf"{stem}\.partner", rf"{stem}\.private\.", rf"{stem}\.", rf"{stem}\.partner\.")

    def private(self, service: str) -> str:
        """The private exchange of ``service``."""
        return self.private_prefix + re.escape(service)

    def queues(self, service: str) -> str:
        """The queues (and requeue exchange) of ``service``'s consumer."""
        return rf"{self.queue_prefix}{re.escape(service)}\.events(\..+)?"

    def partner_queues(self, partner: str) -> str:
        """The queues a partner may declare."""
        return rf"{self.partner_queue_prefix}{re.escape(partner)}\..+"


@dataclass(frozen=True)
class TopicRule:
    """Which routing keys a user may publish (write) or bind (read) on one topic exchange."""

    exchange: str
    write: str
    read: str


@dataclass(frozen=True)
class BusUser:
    """One broker user and its permissions (regular expressions on resource names)."""

    name: str
    configure: str
    write: str
    read: str
    topics: tuple[TopicRule, ...] = ()
    tags: tuple[str, ...] = ()


def _only(*patterns: str) -> str:
    return "^(" + "|".join(patterns) + ")$" if patterns else "^$"


def service_user(service: str, names: BusNames, *, user: str | None = None) -> BusUser:
    """A service's user: its own queues; internal and own private exchange to read;
    its own event types to publish."""
    own_keys = rf"^{re.escape(service)}\."
    return BusUser(
        name=user or service,
        configure=_only(names.queues(service)),
        write=_only(names.internal, names.private_prefix + r"[a-z0-9_-]+", names.queues(service)),
        read=_only(names.internal, names.private(service), names.queues(service)),
        topics=(
            TopicRule(names.internal, own_keys, ".*"),
            TopicRule(names.private_prefix + r"[a-z0-9_-]+", own_keys, ".*"),
        ),
    )


def stores_user(names: BusNames, *, user: str = STORES_USER) -> BusUser:
    """Store systems: publish their ``stores.`` events, read nothing."""
    return BusUser(
        user,
        configure="^$",
        write=_only(names.internal),
        read="^$",
        topics=(TopicRule(names.internal, r"^stores\.", "^$"),),
    )


def partner_user(partner: str, names: BusNames, *, user: str | None = None) -> BusUser:
    """A partner chain: its own queues bound to the partner exchange; publishes nowhere."""
    queues = names.partner_queues(partner)
    return BusUser(
        name=user or f"partner-{partner}",
        configure=_only(queues),
        write=_only(queues),  # binding a queue needs write on the queue, nothing else
        read=_only(names.partner, queues),
        topics=(TopicRule(names.partner, "^$", ".*"),),
    )


def topic_rules_for(user: BusUser, exchanges: Iterable[str]) -> list[dict[str, str]]:
    """Topic permissions of ``user`` on the concrete ``exchanges`` its rules' patterns match.

    RabbitMQ keys topic permissions by exact exchange name, so they are set per exchange.
    """
    rules = []
    for exchange in exchanges:
        for rule in user.topics:
            if re.fullmatch(rule.exchange, exchange):
                rules.append({"exchange": exchange, "write": rule.write, "read": rule.read})
    return rules


def password_hash(password: str, salt: bytes | None = None) -> str:
    """RabbitMQ's ``rabbit_password_hashing_sha256`` hash of ``password``."""
    salt = salt if salt is not None else os.urandom(4)
    return base64.b64encode(salt + hashlib.sha256(salt + password.encode()).digest()).decode()


def partner_routing_keys(classes: Iterable[type[EventData]]) -> list[str]:
    """The routing keys of the event classes marked for partners."""
    return sorted({routing_key_for(c.event_type) for c in classes if c.partner and c.event_type and not c.recipient})


def all_event_classes() -> list[type[EventData]]:
    """Every loaded ``EventData`` subclass."""
    found: list[type[EventData]] = []
    pending = list(EventData.__subclasses__())
    while pending:
        cls = pending.pop()
        found.append(cls)
        pending.extend(cls.__subclasses__())
    return found


def exchange_definition(name: str, vhost: str) -> dict[str, Any]:
    """A durable topic exchange in definitions form."""
    return {
        "name": name,
        "vhost": vhost,
        "type": "topic",
        "durable": True,
        "auto_delete": False,
        "internal": False,
        "arguments": {},
    }


def definitions(
    users: Sequence[BusUser],
    *,
    vhost: str,
    internal: str,
    partner: str,
    private: Sequence[str],
    partner_keys: Sequence[str],
    passwords: dict[str, str],
    policies: Sequence[dict[str, Any]] = (),
) -> dict[str, Any]:
    """A RabbitMQ definitions document (``rabbitmqctl import_definitions``)."""
    exchanges = [internal, partner, *private]
    return {
        "users": [
            {
                "name": u.name,
                "password_hash": passwords[u.name],
                "hashing_algorithm": "rabbit_password_hashing_sha256",
                "tags": list(u.tags),
            }
            for u in users
        ],
        "vhosts": [{"name": vhost}],
        "permissions": [
            {"user": u.name, "vhost": vhost, "configure": u.configure, "write": u.write, "read": u.read} for u in users
        ],
        "topic_permissions": [
            {"user": u.name, "vhost": vhost, **rule} for u in users for rule in topic_rules_for(u, exchanges)
        ],
        "exchanges": [exchange_definition(name, vhost) for name in exchanges],
        "bindings": [
            {
                "source": internal,
                "vhost": vhost,
                "destination": partner,
                "destination_type": "exchange",
                "routing_key": key,
                "arguments": {},
            }
            for key in partner_keys
        ],
        "queues": [],
        "parameters": [],
        "policies": list(policies),
    }


def users_document(users: Sequence[BusUser], *, vhost: str, passwords: dict[str, str]) -> dict[str, Any]:
    """Definitions of ``users`` and their permissions alone (no exchanges)."""
    document = definitions(
        users, vhost=vhost, internal="", partner="", private=(), partner_keys=(), passwords=passwords
    )
    return {key: document[key] for key in ("users", "permissions")}


def rabbitmqctl() -> str | None:
    """The path of ``rabbitmqctl`` on this machine (sbin directories included), or None."""
    return shutil.which("rabbitmqctl", path=os.pathsep.join([os.environ.get("PATH", ""), *SBIN_DIRS]))


def import_definitions(document: dict[str, Any], *, timeout_s: float = 60.0) -> None:
    """Apply ``document`` to the local broker (additive: what it names is created or updated)."""
    ctl = rabbitmqctl()
    if ctl is None:
        raise RuntimeError("rabbitmqctl is not on this machine: the broker's permissions cannot be set")
    # This RabbitMQ's CLI reads definitions from a file only. The file holds password
    # hashes, never passwords, and the broker node may read it as another user.
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "definitions.json"
        path.write_text(json.dumps(document))
        path.chmod(0o644)
        Path(folder).chmod(0o755)
        result = subprocess.run(  # noqa: S603 - our own rabbitmqctl with our own file
            [ctl, "-q", "import_definitions", str(path)], capture_output=True, timeout=timeout_s, check=False
        )
    if result.returncode != 0:
        output = (result.stdout + result.stderr).decode(errors="replace")[-800:]
        raise RuntimeError(f"rabbitmqctl import_definitions failed: {output}")


def delete_users(names: Iterable[str], *, timeout_s: float = 60.0) -> None:
    """Remove broker users from the local broker in one call."""
    wanted = list(names)
    ctl = rabbitmqctl()
    if not wanted or ctl is None:
        return
    binaries = ", ".join(f'<<"{name}">>' for name in wanted)
    # One call for all users; names are ours (test-<hex>-<service>), never input.
    code = f'[rabbit_auth_backend_internal:delete_user(U, <<"plussa">>) || U <- [{binaries}]].'
    subprocess.run([ctl, "-q", "eval", code], check=False, capture_output=True, timeout=timeout_s)  # noqa: S603
