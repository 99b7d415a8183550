"""A K-Plussa MasterCard linked to a membership: only its network token and last four digits."""

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from plussa_cards.domain.errors import (
    FullCardNumberRefusedError,
    InvalidLast4Error,
    PaymentCardAlreadyBlockedError,
)
from plussa_cards.domain.member import Member
from plussa_cards.domain.recorder import CardsAggregate
from plussa_cards.events.payment_card_blocked import PaymentCardBlocked
from plussa_cards.events.payment_card_linked import PaymentCardLinked
from plussa_cards.events.payment_card_unlinked import PaymentCardUnlinked

# A payment card number has 12 to 19 digits, often written in groups; a token never carries one.
_PAN_LIKE = re.compile(r"\d(?:[ \-]?\d){11,18}")


class PaymentCardState(StrEnum):
    """Whether purchases paid with the card still count as paid with it."""

    ACTIVE = "active"
    BLOCKED = "blocked"
    UNLINKED = "unlinked"


def looks_like_card_number(value: str) -> bool:
    """Whether ``value`` contains a run of 12-19 digits (spaces or dashes between them allowed)."""
    return _PAN_LIKE.search(value) is not None


@dataclass
class PaymentCard(CardsAggregate):
    """A linked payment card. ``network_token`` is what a till sends with a purchase paid with it."""

    payment_card_id: str
    household_id: str
    person_id: str
    network: str
    network_token: str
    last4: str
    linked_at: datetime
    state: PaymentCardState = PaymentCardState.ACTIVE

    @classmethod
    def link(
        cls, *, payment_card_id: str, member: Member, network: str, network_token: str, last4: str, now: datetime
    ) -> "PaymentCard":
        """Link a payment card to ``member``'s membership; a full card number is refused, never stored."""
        if looks_like_card_number(network_token) or looks_like_card_number(last4):
            raise FullCardNumberRefusedError(
                "Send the payment network's token and the last four digits, never the number"
            )
        if len(last4) != 4 or not last4.isascii() or not last4.isdigit():
            raise InvalidLast4Error("last4 is the last four digits of the card")
        card = cls(
            payment_card_id=payment_card_id,
            household_id=member.household_id,
            person_id=member.person_id,
            network=network,
            network_token=network_token,
            last4=last4,
            linked_at=now,
        )
        card._linked(now)
        return card

    def relink(self, member: Member, now: datetime) -> None:
        """The card follows its holder to ``member``'s household (it moved with them, or the bank
        links it again after they left one); a blocked card stays blocked."""
        if self.state is PaymentCardState.BLOCKED:
            raise PaymentCardAlreadyBlockedError()
        self.household_id = member.household_id
        self.person_id = member.person_id
        self.state = PaymentCardState.ACTIVE
        self._linked(now)

    def unlink(self, reason: str, now: datetime) -> None:
        """The holder left the household: the card is theirs, so it leaves with them and no longer
        earns for the household. Only an active card is unlinked."""
        if self.state is not PaymentCardState.ACTIVE:
            return
        self.state = PaymentCardState.UNLINKED
        self._happened(
            PaymentCardUnlinked(
                payment_card_id=self.payment_card_id,
                household_id=self.household_id,
                person_id=self.person_id,
                network_token=self.network_token,
                reason=reason,
                occurred_at=now,
            )
        )

    def _linked(self, now: datetime) -> None:
        self._happened(
            PaymentCardLinked(
                payment_card_id=self.payment_card_id,
                household_id=self.household_id,
                person_id=self.person_id,
                network=self.network,
                network_token=self.network_token,
                last4=self.last4,
                occurred_at=now,
            )
        )

    def block(self, reason: str, now: datetime) -> None:
        """The issuing bank stopped the card."""
        if self.state is PaymentCardState.BLOCKED:
            raise PaymentCardAlreadyBlockedError()
        self.state = PaymentCardState.BLOCKED
        self._happened(
            PaymentCardBlocked(
                payment_card_id=self.payment_card_id,
                household_id=self.household_id,
                person_id=self.person_id,
                network_token=self.network_token,
                reason=reason,
                occurred_at=now,
            )
        )
