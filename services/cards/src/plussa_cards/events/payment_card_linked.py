"""`fi.plussa.cards.payment_card.linked`."""

from typing import ClassVar

from plussa_cards.events.base import HouseholdEvent


class PaymentCardLinked(HouseholdEvent):
    """A K-Plussa MasterCard was linked to a member; only its network token and last four digits are known."""

    event_type: ClassVar[str] = "fi.plussa.cards.payment_card.linked"
    payment_card_id: str
    person_id: str
    network: str
    network_token: str
    last4: str
