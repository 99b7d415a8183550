"""The notifications service's own copies of the events it reads: only what it needs."""

from datetime import date, datetime
from typing import Literal

from plussa_shared.events import ConsumedEventData


class CustomerRegistered(ConsumedEventData):
    """identity.customer.registered: a login with an address not yet verified."""

    person_id: str
    household_id: str | None = None
    email: str
    language: str


class EmailVerified(ConsumedEventData):
    """identity.email.verified: the address mail may go to from now on."""

    person_id: str
    email: str


class ProfileUpdated(ConsumedEventData):
    """identity.profile.updated: the language the mail is written in (identity owns it)."""

    person_id: str
    language: str


class LinkRequested(ConsumedEventData):
    """identity.email_verification.requested / password_reset.requested: a link to mail."""

    person_id: str
    email: str
    language: str
    token: str
    expires_at: datetime


class PasswordChanged(ConsumedEventData):
    """identity.password.changed: the person is told, in case it was not them."""

    person_id: str
    occurred_at: datetime


class CardSnapshot(ConsumedEventData):
    """The card as it is after the change."""

    card_id: str
    card_number: str
    kind: str
    state: str
    household_id: str | None = None
    person_id: str | None = None
    replaces_card_id: str | None = None


class CardChanged(ConsumedEventData):
    """cards.card.issued / blocked / replaced."""

    card: CardSnapshot
    occurred_at: datetime


class HouseholdCreated(ConsumedEventData):
    """cards.household.created: who the main holder is."""

    household_id: str
    main_person_id: str


class MemberAdded(ConsumedEventData):
    """cards.member.added: a person in a household and their first name (cards owns names)."""

    household_id: str
    person_id: str
    role: Literal["main", "parallel"]
    first_name: str | None = None


class MemberRenamed(ConsumedEventData):
    """cards.member.renamed: cards owns a person's name."""

    household_id: str
    person_id: str
    first_name: str


class AccessChanged(ConsumedEventData):
    """cards.access.granted / access.withdrawn."""

    household_id: str
    person_id: str
    can_use_money: bool
    occurred_at: datetime


class MoneyPaid(ConsumedEventData):
    """points.money.paid."""

    household_id: str
    lot_id: str
    month: str
    cents: int
    expires_at: datetime


class MoneyReleased(ConsumedEventData):
    """points.money.released: saved money back in use."""

    household_id: str
    cents: int
    occurred_at: datetime


class MoneyDonated(ConsumedEventData):
    """points.money.donated."""

    household_id: str
    month: str
    cents: int
    occurred_at: datetime


class ReceiptSaved(ConsumedEventData):
    """receipts.receipt.saved, as the contract names it for the receipts service."""

    receipt_id: str
    person_id: str
    product_name: str
    store_name: str
    warranty_until: date


class OfferText(ConsumedEventData):
    """An offer's title in the three languages."""

    fi: str
    sv: str
    en: str


class OfferPublished(ConsumedEventData):
    """benefits.offer.published / offer.changed: who offers it and what it is called."""

    offer_id: str
    issuer_id: str
    title: OfferText
    valid_until: datetime
    version: int


class OfferTargeted(ConsumedEventData):
    """benefits.offer.targeted: an offer became one of a person's offers."""

    offer_id: str
    person_id: str
