"""Answering identity's data export and erasure requests for what the cards service holds."""

from collections.abc import Callable
from datetime import datetime
from typing import Any

from plussa_cards.domain.card import Card
from plussa_cards.domain.member import Member
from plussa_cards.domain.payment_card import PaymentCard, PaymentCardState
from plussa_cards.events.erasure_completed import ErasureCompleted
from plussa_cards.events.erasure_requested import ErasureRequested
from plussa_cards.events.export_completed import ExportCompleted
from plussa_cards.events.export_requested import ExportRequested
from plussa_cards.service import envelopes
from plussa_cards.store import CardsStore
from plussa_shared.events import CloudEvent, EventData
from plussa_shared.mongo import Database, Session
from plussa_shared.outbox import Outbox

ERASED = "erased"


class PrivacyRequests:
    """Handles export and erasure requests inside the consumer's transaction."""

    def __init__(self, db: Database, outbox: Outbox, event_source: str, clock: Callable[[], datetime]) -> None:
        self._store = CardsStore(db)
        self._outbox = outbox
        self._source = event_source
        self._clock = clock

    async def export(self, event: CloudEvent[ExportRequested], session: Session) -> None:
        """Publish everything held about the person (nothing, if they are unknown here)."""
        person_id = event.data.person_id
        member = await self._store.member(session, person_id)
        cards = await self._store.cards_of_person(session, person_id)
        payment_cards = await self._store.payment_cards_of_person(session, person_id)
        data = {
            "person": _member_data(member) if member else None,
            "cards": [_card_data(c) for c in cards],
            "payment_cards": [_payment_card_data(p) for p in payment_cards],
        }
        await self._publish(
            session, [ExportCompleted(request_id=event.data.request_id, person_id=person_id, data=data)]
        )

    async def erase(self, event: CloudEvent[ErasureRequested], session: Session) -> None:
        """Forget the person's name, date of birth, e-mail and address; close their cards and unlink payment cards."""
        now = self._clock()
        person_id = event.data.person_id
        events: list[EventData] = []
        member = await self._store.member(session, person_id)
        if member is not None and member.is_active and not member.is_main:
            household = await self._store.household(session, member.household_id)
            if household is not None:
                loaded = household.version
                household.remove_parallel_holder(member, now)
                await self._store.save_household(session, household, loaded)
                events.extend(household.events)
        for card in await self._store.cards_of_person(session, person_id):
            if card.is_live:
                card.close(ERASED, now)
                await self._store.save_card(session, card)
                events.extend(card.events)
        for payment_card in await self._store.payment_cards_of_person(session, person_id):
            if payment_card.state is PaymentCardState.ACTIVE:
                payment_card.block(ERASED, now)
                await self._store.save_payment_card(session, payment_card)
                events.extend(payment_card.events)
        if member is not None:
            member.erase()
            await self._store.save_member(session, member)
        events.append(ErasureCompleted(request_id=event.data.request_id, person_id=person_id, occurred_at=now))
        await self._publish(session, events)

    async def _publish(self, session: Session, events: list[EventData]) -> None:
        await self._outbox.add(session, envelopes(events, self._source))


def _member_data(m: Member) -> dict[str, Any]:
    return {
        "person_id": m.person_id,
        "household_id": m.household_id,
        "role": m.role.value,
        "first_name": m.first_name,
        "last_name": m.last_name,
        "date_of_birth": m.date_of_birth.isoformat() if m.date_of_birth else None,
        "email": m.email,
        "language": m.language,
        "address": vars(m.address) if m.address else None,
        "can_use_money": m.may_use_money,
        "joined_at": m.joined_at.isoformat(),
        "status": m.status.value,
    }


def _card_data(c: Card) -> dict[str, Any]:
    return {
        "card_id": c.card_id,
        "card_number": c.card_number,
        "kind": c.kind.value,
        "state": c.state.value,
        "issued_at": c.issued_at.isoformat(),
        "valid_until": c.valid_until.isoformat() if c.valid_until else None,
    }


def _payment_card_data(p: PaymentCard) -> dict[str, Any]:
    return {"payment_card_id": p.payment_card_id, "network": p.network, "last4": p.last4, "state": p.state.value}
