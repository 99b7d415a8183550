"""`fi.plussa.cards.payment_card.unlinked`."""

from typing import ClassVar

from plussa_cards.events.base import HouseholdEvent


class PaymentCardUnlinked(HouseholdEvent):
    """A K-Plussa MasterCard left ``household_id`` with its holder; purchases paid with it no longer earn there.

    The card is the person's own payment card: when they join a household again, the bank links
    the same token again and ``payment_card.linked`` names the new household.
    """

    event_type: ClassVar[str] = "fi.plussa.cards.payment_card.unlinked"
    payment_card_id: str
    person_id: str
    network_token: str
    reason: str
