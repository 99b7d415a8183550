"""Which service message each event of another service causes, and to whom.

Service messages are always sent (no consent needed), to the person concerned or, for
household money, to the household's main holder.
"""

from plussa_notifications.context import NotificationsContext
from plussa_notifications.domain.errors import MainHolderNotKnownError, OfferNotKnownError
from plussa_notifications.domain.messages import MessageKind
from plussa_notifications.events.consumed import (
    AccessChanged,
    CardChanged,
    LinkRequested,
    MoneyDonated,
    MoneyPaid,
    MoneyReleased,
    OfferPublished,
    OfferTargeted,
    PasswordChanged,
    ReceiptSaved,
)
from plussa_notifications.use_cases.messages import queue_message
from plussa_shared.context import UnitOfWork

_LINK_PAGES = {MessageKind.EMAIL_VERIFICATION: "verify-email", MessageKind.PASSWORD_RESET: "reset-password"}


async def link_requested(ctx: NotificationsContext, event_id: str, data: LinkRequested, kind: MessageKind) -> None:
    """Verification and reset mails carry the portal link with the token, to the address asked for."""
    base = str(ctx.settings.portal_base_url).rstrip("/")
    link = f"{base}/{_LINK_PAGES[kind]}?token={data.token}"
    await queue_message(
        ctx,
        trigger_id=event_id,
        person_id=data.person_id,
        kind=kind,
        data={"expires_at": data.expires_at.isoformat(), "action_url": link},
        link_email=data.email,
        link_language=data.language,
    )


async def password_changed(ctx: NotificationsContext, event_id: str, data: PasswordChanged) -> None:
    """A security notice to the verified address: the password was changed."""
    facts = {"occurred_at": data.occurred_at.isoformat()}
    await queue_message(
        ctx, trigger_id=event_id, person_id=data.person_id, kind=MessageKind.PASSWORD_CHANGED, data=facts
    )


async def card_changed(ctx: NotificationsContext, event_id: str, event_type: str, data: CardChanged) -> None:
    """Card ordered, parallel card ordered, blocked, replaced."""
    card = data.card
    if card.person_id is None or card.kind == "temporary":
        return
    facts = {"last4": card.card_number[-4:], "occurred_at": data.occurred_at.isoformat()}
    change = event_type.rsplit(".", 1)[-1]
    if change == "blocked":
        await queue_message(
            ctx, trigger_id=event_id, person_id=card.person_id, kind=MessageKind.CARD_BLOCKED, data=facts
        )
    elif change == "replaced":
        await queue_message(
            ctx, trigger_id=event_id, person_id=card.person_id, kind=MessageKind.CARD_REPLACED, data=facts
        )
    elif change == "issued" and card.replaces_card_id is None:  # a replacement has its own mail
        await _card_ordered(ctx, event_id, data, facts)


async def _card_ordered(ctx: NotificationsContext, event_id: str, data: CardChanged, facts: dict[str, str]) -> None:
    card = data.card
    assert card.person_id is not None
    if card.kind != "parallel":
        await queue_message(
            ctx, trigger_id=event_id, person_id=card.person_id, kind=MessageKind.CARD_ORDERED, data=facts
        )
        return
    main = await _main_holder(ctx, card.household_id)
    holder = await ctx.store.person(card.person_id)
    name = holder.first_name if holder and holder.first_name else ""
    await queue_message(
        ctx,
        trigger_id=event_id,
        person_id=main,
        kind=MessageKind.PARALLEL_CARD_ORDERED,
        data={**facts, "holder_name": name},
    )


async def access_changed(ctx: NotificationsContext, event_id: str, data: AccessChanged) -> None:
    """The parallel holder hears that money access was granted or withdrawn."""
    kind = MessageKind.MONEY_ACCESS_GRANTED if data.can_use_money else MessageKind.MONEY_ACCESS_WITHDRAWN
    await queue_message(ctx, trigger_id=event_id, person_id=data.person_id, kind=kind, data={})


async def money_paid(ctx: NotificationsContext, event_id: str, data: MoneyPaid) -> None:
    """The main holder hears of the month's Plussa money."""
    facts = {"cents": data.cents, "month": data.month, "expires_at": data.expires_at.isoformat()}
    await _to_main_holder(ctx, event_id, data.household_id, MessageKind.MONEY_PAID, facts)


async def money_released(ctx: NotificationsContext, event_id: str, data: MoneyReleased) -> None:
    """Saved money is usable again."""
    await _to_main_holder(ctx, event_id, data.household_id, MessageKind.SAVINGS_RELEASED, {"cents": data.cents})


async def money_donated(ctx: NotificationsContext, event_id: str, data: MoneyDonated) -> None:
    """Points went to charity."""
    facts = {"cents": data.cents, "month": data.month}
    await _to_main_holder(ctx, event_id, data.household_id, MessageKind.DONATION_MADE, facts)


async def receipt_saved(ctx: NotificationsContext, event_id: str, data: ReceiptSaved) -> None:
    """A warranty receipt was kept for the person."""
    facts = {
        "product_name": data.product_name,
        "store_name": data.store_name,
        "warranty_until": data.warranty_until.isoformat(),
    }
    await queue_message(ctx, trigger_id=event_id, person_id=data.person_id, kind=MessageKind.RECEIPT_SAVED, data=facts)


async def _to_main_holder(
    ctx: NotificationsContext, event_id: str, household_id: str, kind: MessageKind, facts: dict[str, object]
) -> None:
    main = await _main_holder(ctx, household_id)
    await queue_message(ctx, trigger_id=event_id, person_id=main, kind=kind, data=dict(facts))


async def _main_holder(ctx: NotificationsContext, household_id: str | None) -> str:
    main = await ctx.store.main_holder(household_id) if household_id else None
    if main is None:
        raise MainHolderNotKnownError(household_id=household_id)
    return main


async def offer_published(ctx: NotificationsContext, data: OfferPublished) -> None:
    """Remember who offers it and what it is called, for the mails about it."""
    offer = {
        "_id": data.offer_id,
        "issuer_id": data.issuer_id,
        "title": data.title.model_dump(),
        "valid_until": data.valid_until.isoformat(),
        "version": data.version,
    }

    async def work(uow: UnitOfWork) -> None:
        await ctx.store.save_offer(offer, uow.session)

    await ctx.run(work)


async def offer_targeted(ctx: NotificationsContext, event_id: str, data: OfferTargeted) -> None:
    """A person's new offer is mailed only if they consent to hear from its chain or partner."""
    offer = await ctx.store.offer(data.offer_id)
    if offer is None:
        raise OfferNotKnownError(offer_id=data.offer_id)
    chain = await ctx.store.chain(offer["issuer_id"])
    prefs = await ctx.store.preferences(data.person_id)
    person = await ctx.store.person(data.person_id)
    if chain is None or person is None or not prefs.may_receive_marketing(chain.chain_id):
        return
    language = person.language if person.language in ("fi", "sv", "en") else "fi"
    facts = {
        "chain_name": chain.names.in_language(language),
        "title": offer["title"][language],
        "valid_until": offer["valid_until"],
    }
    await queue_message(
        ctx,
        trigger_id=event_id,
        person_id=data.person_id,
        kind=MessageKind.TARGETED_OFFER,
        data=facts,
        chain_id=chain.chain_id,
    )
