"""What the cards service reads: identity's privacy requests and what it says about online accounts.

Export requests are typed by ``plussa_shared.privacy.PrivacyRequested`` and answered through
the privacy participant; erasure requests by cards' own copy below, which may ask to close
the household (see ``subscriptions.py``).
"""

from plussa_shared.events import ConsumedEventData
from plussa_shared.privacy import PrivacyRequested


class ErasureRequested(PrivacyRequested):
    """Cards' copy of ``fi.plussa.identity.erasure.requested``.

    ``close_household``: a main holder who still has parallel holders asks to close the
    household; the parallel holders are first moved to households of their own.
    """

    close_household: bool = False


class CustomerRegistered(ConsumedEventData):
    """Cards' copy of ``fi.plussa.identity.customer.registered``: the person has an online account."""

    person_id: str


class AccountErased(ConsumedEventData):
    """Cards' copy of ``fi.plussa.identity.erasure.completed``: the person's online account is gone."""

    person_id: str
