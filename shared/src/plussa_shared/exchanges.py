"""The names of the exchanges events travel through; plain data, so that code writing
events into the outbox needs no broker client."""

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from plussa_shared.events import EventData
    from plussa_shared.settings import ServiceSettings


@dataclass(frozen=True)
class Exchanges:
    """The exchange names of one deployment (or one test): internal, partner, private."""

    internal: str = "plussa.events"
    partner: str = "plussa.partner"
    private_prefix: str = "plussa.private."

    @classmethod
    def from_settings(cls, settings: "ServiceSettings") -> "Exchanges":
        """The names a service's settings give."""
        return cls(settings.amqp_exchange, settings.amqp_partner_exchange, settings.amqp_private_exchange_prefix)

    def private(self, recipient: str) -> str:
        """The exchange only ``recipient`` may read."""
        return f"{self.private_prefix}{recipient}"

    def for_event(self, data: "EventData") -> str:
        """Where an event is published: its recipient's private exchange, or the internal one."""
        recipient = type(data).recipient
        return self.private(recipient) if recipient else self.internal
