"""What the cards service does on the events it consumes: one table, event type -> use case."""

from collections.abc import Sequence
from typing import Any

from plussa_cards.context import CardsContext
from plussa_cards.events.consumed import AccountErased, CustomerRegistered, ErasureRequested
from plussa_cards.events.erasure_completed import ErasureCompleted
from plussa_cards.events.export_completed import ExportCompleted
from plussa_cards.use_cases import members, privacy
from plussa_shared.events import CloudEvent
from plussa_shared.privacy import ERASURE_REQUESTED, EXPORT_REQUESTED, PrivacyParticipant, privacy_subscriptions
from plussa_shared.subscription import Subscription

PRIVACY = PrivacyParticipant[CardsContext](
    export=privacy.export,
    erase=privacy.erase,
    export_completed=ExportCompleted,
    erasure_completed=ErasureCompleted,
)
"""Identity's export requests, answered with ``cards.export.completed``. Erasure requests are
answered by ``privacy.answer_erasure``, which may refuse (``cards.erasure.refused``)."""

CUSTOMER_REGISTERED = "fi.plussa.identity.customer.registered"
ACCOUNT_ERASED = "fi.plussa.identity.erasure.completed"


def subscriptions(ctx: CardsContext) -> Sequence[Subscription[Any]]:
    """The subscriptions of the cards service, bound to ``ctx``."""

    async def on_erasure(event: CloudEvent[ErasureRequested]) -> None:
        await privacy.answer_erasure(ctx, event.data)

    async def on_registered(event: CloudEvent[CustomerRegistered]) -> None:
        await members.online_account(ctx, event.data.person_id, True)

    async def on_account_erased(event: CloudEvent[AccountErased]) -> None:
        await members.online_account(ctx, event.data.person_id, False)

    return [
        *(s for s in privacy_subscriptions(ctx, PRIVACY) if s.event_type == EXPORT_REQUESTED),
        Subscription(ERASURE_REQUESTED, ErasureRequested, on_erasure),
        Subscription(CUSTOMER_REGISTERED, CustomerRegistered, on_registered),
        Subscription(ACCOUNT_ERASED, AccountErased, on_account_erased),
    ]
