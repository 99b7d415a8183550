"""Every event the notifications service consumes, in one table: event type -> use case.

Verification and reset requests carry a login secret: they reach this service alone, on
its private exchange (``private=True``), never the internal one.

Domain errors decide the consumer's answer by their kind: a household whose main holder
is not known yet is retried with back-off; anything else that breaks a rule is
dead-lettered with its slug.
"""

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from pydantic import BaseModel

from plussa_notifications.context import NotificationsContext
from plussa_notifications.domain.messages import MessageKind
from plussa_notifications.events import consumed as ev
from plussa_notifications.use_cases import people, privacy, triggers
from plussa_shared.events import CloudEvent
from plussa_shared.privacy import privacy_subscriptions
from plussa_shared.subscription import Subscription

D = TypeVar("D", bound=BaseModel)


def subscriptions(ctx: NotificationsContext) -> list[Subscription[Any]]:
    """The notifications service's subscriptions, bound to its context."""

    def sub(
        event_type: str, schema: type[D], apply: Callable[[CloudEvent[D]], Awaitable[None]], *, private: bool = False
    ) -> Subscription[Any]:
        return Subscription(f"fi.plussa.{event_type}", schema, apply, private=private)

    def card(event_type: str) -> Subscription[Any]:
        return sub(event_type, ev.CardChanged, lambda e: triggers.card_changed(ctx, e.id, e.type, e.data))

    return [
        sub("identity.customer.registered", ev.CustomerRegistered, lambda e: people.customer_registered(ctx, e.data)),
        sub("identity.email.verified", ev.EmailVerified, lambda e: people.email_verified(ctx, e.data)),
        sub("identity.profile.updated", ev.ProfileUpdated, lambda e: people.profile_updated(ctx, e.data)),
        sub(
            "identity.email_verification.requested",
            ev.LinkRequested,
            lambda e: triggers.link_requested(ctx, e.id, e.data, MessageKind.EMAIL_VERIFICATION),
            private=True,
        ),
        sub(
            "identity.password_reset.requested",
            ev.LinkRequested,
            lambda e: triggers.link_requested(ctx, e.id, e.data, MessageKind.PASSWORD_RESET),
            private=True,
        ),
        sub("identity.password.changed", ev.PasswordChanged, lambda e: triggers.password_changed(ctx, e.id, e.data)),
        sub("cards.household.created", ev.HouseholdCreated, lambda e: people.household_created(ctx, e.data)),
        sub("cards.member.added", ev.MemberAdded, lambda e: people.member_added(ctx, e.data)),
        sub("cards.member.renamed", ev.MemberRenamed, lambda e: people.member_renamed(ctx, e.data)),
        card("cards.card.issued"),
        card("cards.card.blocked"),
        card("cards.card.replaced"),
        sub("cards.access.granted", ev.AccessChanged, lambda e: triggers.access_changed(ctx, e.id, e.data)),
        sub("cards.access.withdrawn", ev.AccessChanged, lambda e: triggers.access_changed(ctx, e.id, e.data)),
        sub("points.money.paid", ev.MoneyPaid, lambda e: triggers.money_paid(ctx, e.id, e.data)),
        sub("points.money.released", ev.MoneyReleased, lambda e: triggers.money_released(ctx, e.id, e.data)),
        sub("points.money.donated", ev.MoneyDonated, lambda e: triggers.money_donated(ctx, e.id, e.data)),
        sub("benefits.offer.published", ev.OfferPublished, lambda e: triggers.offer_published(ctx, e.data)),
        sub("benefits.offer.changed", ev.OfferPublished, lambda e: triggers.offer_published(ctx, e.data)),
        sub("benefits.offer.targeted", ev.OfferTargeted, lambda e: triggers.offer_targeted(ctx, e.id, e.data)),
        sub("receipts.receipt.saved", ev.ReceiptSaved, lambda e: triggers.receipt_saved(ctx, e.id, e.data)),
        *privacy_subscriptions(ctx, privacy.PARTICIPANT),
    ]
