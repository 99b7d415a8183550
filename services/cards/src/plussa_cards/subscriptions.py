"""What the cards service does on the events it consumes: one table, event type -> use case."""

from collections.abc import Sequence
from typing import Any

from plussa_cards.context import CardsContext
from plussa_cards.events.erasure_completed import ErasureCompleted
from plussa_cards.events.export_completed import ExportCompleted
from plussa_cards.use_cases import privacy
from plussa_shared.consumer import Subscription
from plussa_shared.privacy import PrivacyParticipant, privacy_subscriptions

PRIVACY = PrivacyParticipant[CardsContext](
    export=privacy.export,
    erase=privacy.erase,
    export_completed=ExportCompleted,
    erasure_completed=ErasureCompleted,
)
"""Identity's export and erasure requests, answered with ``cards.export.completed`` / ``cards.erasure.completed``."""


def subscriptions(ctx: CardsContext) -> Sequence[Subscription[Any]]:
    """The subscriptions of the cards service, bound to ``ctx``."""
    return [
        *privacy_subscriptions(ctx, PRIVACY),  # fi.plussa.identity.export.requested, erasure.requested
    ]
