"""The broker users of one test session, with the permissions production gives.

Every service a test builds connects as its own user (``test-<session>-<service>``),
allowed only what that service is allowed in production, on the exchanges and queues
of this session's tests. The users are made on first use (one ``rabbitmqctl`` call)
and removed when the session ends. RabbitMQ keys topic permissions by exact exchange
name, and each test has exchanges of its own, so those are set only by the tests that
ask for them (``topic_permissions``): one more ``rabbitmqctl`` call per such test.
"""

import secrets
import uuid
from urllib.parse import quote, urlparse, urlunparse

from plussa_shared import bus_access
from plussa_shared.bus_access import BusNames, BusUser

PARTNER = bus_access.EXAMPLE_PARTNER
_ADMIN_OF: dict[str, str] = {}
"""The administrator URL behind each session user's URL handed out."""


def harness_url(url: str) -> str:
    """The URL the test harness itself uses when given a service's URL: the harness
    watches and feeds the bus as an administrator would (as the outside world does),
    not with the service's own narrow permissions."""
    return _ADMIN_OF.get(url, url)


class SessionBrokerUsers:
    """Makes, hands out and removes the session's broker users."""

    def __init__(self, admin_url: str) -> None:
        self.admin_url = admin_url
        self.session_id = uuid.uuid4().hex[:6]
        self.names = BusNames.for_test_session(self.session_id)
        self._password = secrets.token_urlsafe(18)
        self._users: dict[str, BusUser] = {}
        self.enforced = bus_access.rabbitmqctl() is not None and urlparse(admin_url).hostname in {
            "127.0.0.1",
            "localhost",
        }

    def namespace(self) -> str:
        """A new test's id, within this session's names."""
        return f"{self.session_id}{uuid.uuid4().hex[:6]}"

    def user_name(self, role: str) -> str:
        """The broker user name of ``role`` (a service name, ``stores`` or ``partner``)."""
        return f"test-{self.session_id}-{role}"

    def url_for(self, role: str) -> str:
        """The AMQP URL of ``role``'s user, made on first use; the admin URL where
        permissions cannot be set on this broker."""
        if not self.enforced:
            return self.admin_url
        self.ensure(role)
        parsed = urlparse(self.admin_url)
        netloc = f"{quote(self.user_name(role), safe='')}:{quote(self._password, safe='')}@{parsed.hostname}"
        if parsed.port:
            netloc += f":{parsed.port}"
        url = urlunparse(parsed._replace(netloc=netloc))
        _ADMIN_OF[url] = self.admin_url
        return url

    def ensure(self, *roles: str) -> None:
        """Make the users of ``roles`` that do not exist yet."""
        new = {role: self._user(role) for role in roles if role not in self._users}
        if not new:
            return
        passwords = {user.name: bus_access.password_hash(self._password) for user in new.values()}
        bus_access.import_definitions(bus_access.users_document(list(new.values()), vhost="/", passwords=passwords))
        self._users.update(new)

    def _user(self, role: str) -> BusUser:
        name = self.user_name(role)
        if role == bus_access.STORES_USER:
            return bus_access.stores_user(self.names, user=name)
        if role == "partner":
            return bus_access.partner_user(PARTNER, self.names, user=name)
        return bus_access.service_user(role, self.names, user=name)

    def apply_topic_permissions(self, exchanges: list[str]) -> None:
        """Set every session user's topic permissions on these concrete exchanges."""
        rules = [
            {"user": user.name, "vhost": "/", **rule}
            for user in self._users.values()
            for rule in bus_access.topic_rules_for(user, exchanges)
        ]
        if rules:
            bus_access.import_definitions({"topic_permissions": rules})

    def remove(self) -> None:
        """Delete every user this session made."""
        bus_access.delete_users(user.name for user in self._users.values())
