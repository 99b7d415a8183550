"""`fi.plussa.cards.payment_card.blocked`."""

from typing import ClassVar

from plussa_cards.events.base import HouseholdEvent


class PaymentCardBlocked(HouseholdEvent):
    """The issuing bank blocked a K-Plussa MasterCard; purchases paid with it no longer count as paid with it."""

    event_type: ClassVar[str] = "fi.plussa.cards.payment_card.blocked"
    payment_card_id: str
    person_id: str
    network_token: str
    reason: str
