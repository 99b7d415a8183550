"""Everything a notifications use case needs: settings, store, outbox, clock. Built once per process."""

from dataclasses import dataclass, field

from plussa_notifications.settings import NotificationsSettings
from plussa_notifications.store import NotificationsStore
from plussa_shared.context import ServiceContext


@dataclass
class NotificationsContext(ServiceContext[NotificationsSettings]):
    """The notifications service's context: ``run`` a use case's work in one transaction."""

    store: NotificationsStore = field(init=False)

    def __post_init__(self) -> None:
        self.store = NotificationsStore(self.db)
