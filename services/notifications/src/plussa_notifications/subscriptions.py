"""Every event the notifications service reads, and the use case it goes to: one table."""

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from pydantic import BaseModel

from plussa_notifications.context import NotificationsContext
from plussa_notifications.domain.errors import NotificationsError
from plussa_notifications.domain.messages import MessageKind
from plussa_notifications.events import consumed as ev
from plussa_notifications.use_cases import people, triggers
from plussa_shared.consumer import RejectEventError, Subscription
from plussa_shared.events import CloudEvent
from plussa_shared.mongo import Session

D = TypeVar("D", bound=BaseModel)

_RETRY_KINDS = ("not-known-yet", "unavailable")


class NotKnownYetError(Exception):
    """What the event refers to has not arrived yet; the consumer retries with back-off."""


def subscriptions(context: Callable[[], NotificationsContext]) -> list[Subscription[Any]]:
    """The table: event type -> schema -> use case."""

    def sub(
        event_type: str, schema: type[D], apply: Callable[[NotificationsContext, CloudEvent[D]], Awaitable[None]]
    ) -> Subscription[Any]:
        async def handle(event: CloudEvent[D], session: Session) -> None:
            ctx = context()
            try:
                await ctx.within(session, lambda: apply(ctx, event))
            except NotificationsError as exc:
                if exc.kind in _RETRY_KINDS:
                    raise NotKnownYetError(f"{exc.slug}: {exc.detail}") from exc
                raise RejectEventError(f"{exc.slug}: {exc.detail}") from exc

        return Subscription(f"fi.plussa.{event_type}", schema, handle)

    def card(event_type: str) -> Subscription[Any]:
        return sub(event_type, ev.CardChanged, lambda c, e: triggers.card_changed(c, e.id, e.type, e.data))

    return [
        sub("identity.customer.registered", ev.CustomerRegistered, lambda c, e: people.customer_registered(c, e.data)),
        sub("identity.email.verified", ev.EmailVerified, lambda c, e: people.email_verified(c, e.data)),
        sub("identity.profile.updated", ev.ProfileUpdated, lambda c, e: people.profile_updated(c, e.data)),
        sub(
            "identity.email_verification.requested",
            ev.LinkRequested,
            lambda c, e: triggers.link_requested(c, e.id, e.data, MessageKind.EMAIL_VERIFICATION),
        ),
        sub(
            "identity.password_reset.requested",
            ev.LinkRequested,
            lambda c, e: triggers.link_requested(c, e.id, e.data, MessageKind.PASSWORD_RESET),
        ),
        sub("identity.password.changed", ev.PasswordChanged, lambda c, e: triggers.password_changed(c, e.id, e.data)),
        sub("cards.household.created", ev.HouseholdCreated, lambda c, e: people.household_created(c, e.data)),
        sub("cards.member.added", ev.MemberAdded, lambda c, e: people.member_added(c, e.data)),
        card("cards.card.issued"),
        card("cards.card.blocked"),
        card("cards.card.replaced"),
        sub("cards.access.granted", ev.AccessChanged, lambda c, e: triggers.access_changed(c, e.id, e.data)),
        sub("cards.access.withdrawn", ev.AccessChanged, lambda c, e: triggers.access_changed(c, e.id, e.data)),
        sub("points.money.paid", ev.MoneyPaid, lambda c, e: triggers.money_paid(c, e.id, e.data)),
        sub("points.money.released", ev.MoneyReleased, lambda c, e: triggers.money_released(c, e.id, e.data)),
        sub("points.money.donated", ev.MoneyDonated, lambda c, e: triggers.money_donated(c, e.id, e.data)),
        sub("receipts.receipt.saved", ev.ReceiptSaved, lambda c, e: triggers.receipt_saved(c, e.id, e.data)),
    ]
