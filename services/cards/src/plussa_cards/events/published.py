"""Every event the cards service publishes, in one list.

Each class keeps its own module (``events/card_blocked.py``...): the AsyncAPI document
names the schemas of ``export.completed`` and ``erasure.completed``, which other services
publish under the same class names, after their modules, so moving them would rename
published schemas.
"""

from plussa_cards.events.access_granted import AccessGranted
from plussa_cards.events.access_withdrawn import AccessWithdrawn
from plussa_cards.events.card_activated import CardActivated
from plussa_cards.events.card_blocked import CardBlocked
from plussa_cards.events.card_closed import CardClosed
from plussa_cards.events.card_expired import CardExpired
from plussa_cards.events.card_issued import CardIssued
from plussa_cards.events.card_linked import CardLinked
from plussa_cards.events.card_replaced import CardReplaced
from plussa_cards.events.erasure_completed import ErasureCompleted
from plussa_cards.events.erasure_refused import ErasureRefused
from plussa_cards.events.export_completed import ExportCompleted
from plussa_cards.events.household_created import HouseholdCreated
from plussa_cards.events.household_handed_over import HouseholdHandedOver
from plussa_cards.events.member_added import MemberAdded
from plussa_cards.events.member_removed import MemberRemoved
from plussa_cards.events.member_renamed import MemberRenamed
from plussa_cards.events.member_role_changed import MemberRoleChanged
from plussa_cards.events.payment_card_blocked import PaymentCardBlocked
from plussa_cards.events.payment_card_linked import PaymentCardLinked
from plussa_cards.events.payment_card_unlinked import PaymentCardUnlinked

__all__ = [
    "AccessGranted",
    "AccessWithdrawn",
    "CardActivated",
    "CardBlocked",
    "CardClosed",
    "CardExpired",
    "CardIssued",
    "CardLinked",
    "CardReplaced",
    "ErasureCompleted",
    "ErasureRefused",
    "ExportCompleted",
    "HouseholdCreated",
    "HouseholdHandedOver",
    "MemberAdded",
    "MemberRemoved",
    "MemberRenamed",
    "MemberRoleChanged",
    "PaymentCardBlocked",
    "PaymentCardLinked",
    "PaymentCardUnlinked",
]
