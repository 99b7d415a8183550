"""Everything a notifications use case needs: settings, store, outbox, clock, the renderer
and the unsubscribe token signer. Built once per process."""

import asyncio
from dataclasses import dataclass, field
from datetime import timedelta

from plussa_notifications.mail.rendering import Renderer
from plussa_notifications.mail.unsubscribe import UnsubscribeTokens
from plussa_notifications.settings import NotificationsSettings
from plussa_notifications.store import NotificationsStore
from plussa_shared.context import ServiceContext


@dataclass
class NotificationsContext(ServiceContext[NotificationsSettings]):
    """The notifications service's context: ``run`` a use case's work in one transaction."""

    store: NotificationsStore = field(init=False)
    renderer: Renderer = field(init=False)
    tokens: UnsubscribeTokens = field(init=False)
    mail_waiting: asyncio.Event = field(default_factory=asyncio.Event)
    """Set when messages were queued, so the sender looks at once instead of at its next poll."""
    campaigns_waiting: asyncio.Event = field(default_factory=asyncio.Event)
    """Set when a campaign was accepted, so its recipients are queued at once."""

    def __post_init__(self) -> None:
        self.store = NotificationsStore(self.db)
        self.renderer = Renderer()
        secret = self.settings.unsubscribe_secret
        if secret is None:  # the settings fill one in outside production
            raise RuntimeError("no unsubscribe signing secret")
        lifetime = timedelta(days=self.settings.unsubscribe_token_days)
        self.tokens = UnsubscribeTokens(secret.get_secret_value(), lifetime=lifetime)
