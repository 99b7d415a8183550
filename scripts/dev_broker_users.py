"""The dev stack's broker users: each service connects as its own RabbitMQ user with the
permissions production gives it (deploy/rabbitmq/definitions.json), so what a service
may read and publish under ``make run`` is what it may in production.

Users are named after the stack's first port (two stacks side by side do not share
them) and get a fresh random password each run; they are removed when the stack stops.
Without ``rabbitmqctl`` (a broker elsewhere) every service uses the URL it was given.
"""

import re
import secrets
from dataclasses import dataclass, field
from urllib.parse import quote, urlparse, urlunparse

from plussa_shared import bus_access
from plussa_shared.bus_access import BusNames

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


@dataclass
class DevBrokerUsers:
    """Makes the stack's service users and hands out their AMQP URLs."""

    admin_url: str
    stack_id: str
    exchange: str
    partner_exchange: str
    private_prefix: str
    queue_prefix: str
    services: tuple[str, ...]
    _password: str = field(default_factory=lambda: secrets.token_urlsafe(18))
    _made: list[str] = field(default_factory=list)

    @property
    def enforced(self) -> bool:
        """Whether this broker's permissions can be set from here."""
        return bus_access.rabbitmqctl() is not None and urlparse(self.admin_url).hostname in LOCAL_HOSTS

    def names(self) -> BusNames:
        """The stack's exchanges and queues as the permission patterns name them."""
        return BusNames(
            re.escape(self.exchange),
            re.escape(self.partner_exchange),
            re.escape(self.private_prefix),
            re.escape(self.queue_prefix),
            r"partner\.",
        )

    def user_name(self, service: str) -> str:
        """The broker user of ``service`` in this stack."""
        return f"plussa-dev-{self.stack_id}-{service}"

    def create(self) -> None:
        """Make (or refresh) every service's user, with its topic permissions."""
        users = [bus_access.service_user(s, self.names(), user=self.user_name(s)) for s in self.services]
        passwords = {user.name: bus_access.password_hash(self._password) for user in users}
        document = bus_access.users_document(users, vhost=_vhost(self.admin_url), passwords=passwords)
        exchanges = [self.exchange, *(self.private_prefix + s for s in self.services)]
        document["topic_permissions"] = [
            {"user": user.name, "vhost": _vhost(self.admin_url), **rule}
            for user in users
            for rule in bus_access.topic_rules_for(user, exchanges)
        ]
        bus_access.import_definitions(document)
        self._made = [user.name for user in users]

    def url_for(self, service: str) -> str:
        """``service``'s AMQP URL: its own user when permissions are enforced."""
        if not self._made:
            return self.admin_url
        parsed = urlparse(self.admin_url)
        netloc = f"{quote(self.user_name(service), safe='')}:{quote(self._password, safe='')}@{parsed.hostname}"
        if parsed.port:
            netloc += f":{parsed.port}"
        return urlunparse(parsed._replace(netloc=netloc))

    def remove(self) -> None:
        """Delete the users this run made."""
        bus_access.delete_users(self._made)
        self._made = []


def _vhost(url: str) -> str:
    path = urlparse(url).path
    return path[1:] if len(path) > 1 else "/"
