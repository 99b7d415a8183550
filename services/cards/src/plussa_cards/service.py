"""The cards service's use cases: load, ask the domain, save with the events, in one transaction."""

import functools
import secrets
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TypeVar

import structlog
from pymongo import AsyncMongoClient
from pymongo.errors import DuplicateKeyError

from plussa_cards.domain.access import require_card_holder, require_main_holder, visible_cards
from plussa_cards.domain.card import BlockReason, Card, CardKind, require_mobile_card_room
from plussa_cards.domain.card_number import RandomBelow, new_card_number, parse_card_number
from plussa_cards.domain.dates import add_months
from plussa_cards.domain.errors import (
    AlreadyAMemberError,
    CardNotFoundError,
    ConcurrentUpdateError,
    HouseholdNotFoundError,
    IllegalCardTransitionError,
    MainHolderOnlyError,
    MemberNotFoundError,
    NotAMemberError,
    PaymentCardAlreadyLinkedError,
    PaymentCardNotFoundError,
)
from plussa_cards.domain.household import Household
from plussa_cards.domain.member import Member, PersonDetails, Role
from plussa_cards.domain.payment_card import PaymentCard
from plussa_cards.domain.replacement import ReplacementReason, activate, order_replacement
from plussa_cards.settings import CardsSettings
from plussa_cards.store import CardsStore
from plussa_shared.events import CloudEvent, EventData, new_event
from plussa_shared.mongo import Database, Document, Session
from plussa_shared.outbox import Outbox
from plussa_shared.unit_of_work import UnitOfWork

log = structlog.get_logger(__name__)

T = TypeVar("T")
NUMBER_ATTEMPTS = 3
"""How often a use case runs again when the card number it drew was taken meanwhile."""
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The current time, UTC."""
    return datetime.now(UTC)


def envelopes(events: Sequence[EventData], source: str) -> list[CloudEvent[EventData]]:
    """The events in their envelopes, each with its own subject (``card/…``, ``household/…``)."""
    return [new_event(e, source=source, subject=getattr(e, "subject", None)) for e in events]


def new_id() -> str:
    """A fresh opaque id."""
    return uuid.uuid4().hex


@dataclass(frozen=True)
class Joined:
    """What an application created."""

    household: Household
    member: Member
    card: Card


@dataclass(frozen=True)
class HouseholdView:
    """A household as one of its members may see it."""

    actor: Member
    members: list[Member]
    cards: list[Card]


@dataclass(frozen=True)
class NewParallelHolder:
    """A parallel holder just added, with their card."""

    member: Member
    card: Card


@dataclass(frozen=True)
class CardLookup:
    """What a till needs to know about a card number."""

    card: Card
    holder_may_use_money: bool


class CardsService:
    """Every use case of the cards service. Customers are identified by person id and
    always checked against our own records, never against a token's claims."""

    def __init__(
        self,
        client: AsyncMongoClient[Document],
        db: Database,
        outbox: Outbox,
        settings: CardsSettings,
        *,
        random_below: RandomBelow = secrets.randbelow,
        clock: Clock = utc_now,
    ) -> None:
        self._store = CardsStore(db)
        self._outbox = outbox
        self._uow = UnitOfWork(client, outbox)
        self._settings = settings
        self._random_below = random_below
        self._clock = clock

    def today(self) -> date:
        """Today's date, UTC."""
        return self._clock().date()

    # Joining and the household

    async def apply(self, details: PersonDetails) -> Joined:
        """A new customer joins: a household with them as main holder, and an active main card."""
        now = self._clock()

        async def work(session: Session) -> Joined:
            household_id = new_id()
            main = Member.join(
                person_id=new_id(),
                household_id=household_id,
                role=Role.MAIN,
                details=details,
                can_use_money=True,
                now=now,
            )
            await self._refuse_existing_member(session, main)
            household = Household.create(household_id, main, now)
            card = self._issue(CardKind.MAIN, household_id, main.person_id, now)
            await self._store.add_household(session, household)
            await self._store.save_member(session, main)
            await self._store.save_card(session, card)
            await self._publish(session, [*household.events, *card.events])
            return Joined(household, main, card)

        joined = await self._run(work)
        log.info("member_joined", household_id=joined.household.household_id, person_id=joined.member.person_id)
        return joined

    async def household_view(self, person_id: str) -> HouseholdView:
        """The caller's household: the main holder sees everyone, a parallel holder themselves."""
        actor = await self._actor(None, person_id)
        members = await self._store.members_of(None, actor.household_id)
        cards = await self._store.cards_of_household(None, actor.household_id)
        shown = members if actor.is_main else [actor]
        return HouseholdView(actor, shown, visible_cards(actor, cards))

    async def household_for_operator(self, household_id: str) -> tuple[list[Member], list[Card]]:
        """Every active member of a household and its live cards, for customer service."""
        members = await self._store.members_of(None, household_id)
        if not members:
            raise HouseholdNotFoundError()
        cards = await self._store.cards_of_household(None, household_id)
        return members, [c for c in cards if c.is_live]

    async def my_cards(self, person_id: str) -> list[Card]:
        """The live cards the caller may see."""
        actor = await self._actor(None, person_id)
        return visible_cards(actor, await self._store.cards_of_household(None, actor.household_id))

    async def order_parallel_card(self, person_id: str, details: PersonDetails) -> NewParallelHolder:
        """The main holder orders a parallel card for another person of the household."""
        now = self._clock()

        async def work(session: Session) -> NewParallelHolder:
            actor = await self._actor(session, person_id)
            require_main_holder(actor)
            return await self._add_parallel_holder(session, actor.household_id, details, None, now)

        return await self._run(work)

    async def order_parallel_card_in_store(
        self, main_card_number: str, details: PersonDetails, store_id: str
    ) -> NewParallelHolder:
        """A store orders a parallel card for the household of the main holder's card it was shown."""
        number = parse_card_number(main_card_number, self._settings.card_number_length)
        now = self._clock()

        async def work(session: Session) -> NewParallelHolder:
            card = await self._store.card_by_number(session, number)
            if card is None or card.person_id is None:
                raise CardNotFoundError()
            holder = await self._store.member(session, card.person_id)
            if holder is None or not holder.is_active or not holder.is_main:
                raise MainHolderOnlyError("Show the main holder's card to order a parallel card")
            if not card.can_earn(now.date()):
                raise IllegalCardTransitionError("The card shown is not in use", state=card.state.value)
            return await self._add_parallel_holder(session, holder.household_id, details, store_id, now)

        return await self._run(work)

    async def remove_parallel_holder(self, person_id: str, parallel_person_id: str) -> None:
        """The main holder removes a parallel holder; their cards are closed."""
        now = self._clock()

        async def work(session: Session) -> None:
            actor = await self._actor(session, person_id)
            require_main_holder(actor)
            target = await self._member_of_household(session, actor.household_id, parallel_person_id)
            household, loaded = await self._household(session, actor.household_id)
            household.remove_parallel_holder(target, now)
            closed = await self._close_cards_of(session, target.person_id, "member_removed", now)
            await self._store.save_household(session, household, loaded)
            await self._store.save_member(session, target)
            await self._publish(session, [*household.events, *(e for c in closed for e in c.events)])

        await self._run(work)
        log.info("parallel_holder_removed", person_id=parallel_person_id)

    async def set_money_access(self, person_id: str, parallel_person_id: str, allowed: bool) -> Member:
        """The main holder grants or withdraws a parallel holder's right to see and use the money."""
        now = self._clock()

        async def work(session: Session) -> Member:
            actor = await self._actor(session, person_id)
            require_main_holder(actor)
            target = await self._member_of_household(session, actor.household_id, parallel_person_id)
            household, loaded = await self._household(session, actor.household_id)
            if household.set_money_access(target, allowed, now):
                await self._store.save_household(session, household, loaded)
                await self._store.save_member(session, target)
                await self._publish(session, household.events)
            return target

        member = await self._run(work)
        log.info("money_access_set", person_id=member.person_id, can_use_money=member.can_use_money)
        return member

    # One card

    async def block_card(self, person_id: str, card_id: str, reason: BlockReason) -> Card:
        """The holder, or their main holder, blocks a card at once."""
        now = self._clock()

        async def work(session: Session) -> Card:
            card = await self._card_for(session, person_id, card_id)
            card.block(reason, now)
            await self._save_cards(session, card)
            return card

        card = await self._run(work)
        log.info("card_blocked", card_id=card.card_id, reason=reason.value)
        return card

    async def order_replacement(self, person_id: str, card_id: str, reason: ReplacementReason) -> Card:
        """Order a new card with a new number on the same account; the new card is activated on arrival."""
        now = self._clock()

        async def work(session: Session) -> Card:
            card = await self._card_for(session, person_id, card_id)
            successor = order_replacement(
                card,
                reason,
                new_card_id=new_id(),
                new_card_number=self._new_number(),
                now=now,
                damaged_stays_usable=self._settings.damaged_card_stays_usable,
            )
            await self._save_cards(session, card, successor)
            return successor

        successor = await self._run(work)
        log.info("replacement_ordered", card_id=card_id, new_card_id=successor.card_id, reason=reason.value)
        return successor

    async def activate_card(self, person_id: str, card_id: str) -> Card:
        """The holder activates a card that arrived; a damaged card it replaces is retired."""
        now = self._clock()

        async def work(session: Session) -> Card:
            card = await self._card_for(session, person_id, card_id)
            predecessor = None
            if card.replaces_card_id is not None:
                predecessor = await self._store.card(session, card.replaces_card_id)
            activate(card, predecessor, now)
            await self._save_cards(session, card, *([predecessor] if predecessor else []))
            return card

        return await self._run(work)

    async def issue_mobile_card(self, person_id: str) -> Card:
        """A member adds a mobile card (a number shown by the phone app); it works at once."""
        now = self._clock()

        async def work(session: Session) -> Card:
            actor = await self._actor(session, person_id)
            await self._store.lock_member(session, person_id)  # one such request per person at a time
            cards = await self._store.cards_of_person(session, person_id)
            require_mobile_card_room(cards, self._settings.max_mobile_cards_per_person)
            card = self._issue(CardKind.MOBILE, actor.household_id, actor.person_id, now)
            await self._save_cards(session, card)
            return card

        return await self._run(work)

    # Temporary cards

    async def issue_temporary_card(self, store_id: str) -> Card:
        """A store hands over a temporary card: it earns at once, never spends, and expires unless linked."""
        now = self._clock()
        valid_until = add_months(now.date(), self._settings.temporary_card_validity_months)

        async def work(session: Session) -> Card:
            card = self._issue(CardKind.TEMPORARY, None, None, now, valid_until=valid_until, issued_by=store_id)
            await self._save_cards(session, card)
            return card

        return await self._run(work)

    async def link_temporary_card(self, person_id: str, card_number: str) -> Card:
        """A member puts a temporary card on their household's account."""
        number = parse_card_number(card_number, self._settings.card_number_length)
        now = self._clock()

        async def work(session: Session) -> Card:
            actor = await self._actor(session, person_id)
            card = await self._store.card_by_number(session, number)
            if card is None or (card.is_linked and card.household_id != actor.household_id):
                raise CardNotFoundError()
            card.link(actor.household_id, actor.person_id, now)
            await self._save_cards(session, card)
            return card

        return await self._run(work)

    async def expire_temporary_cards(self, now: datetime | None = None) -> int:
        """Expire every unlinked temporary card past its validity; safe to run again. How many expired."""
        moment = now or self._clock()
        expired = 0
        while ids := await self._store.unlinked_temporary_cards_valid_before(
            moment.date(), self._settings.expiry_batch_size
        ):
            done = 0
            for card_id in ids:
                done += await self._run(functools.partial(self._expire, card_id=card_id, now=moment))
            expired += done
            if done == 0:
                break  # linked or expired by someone else meanwhile; the next run sees the rest
        log.info("temporary_cards_expired", count=expired)
        return expired

    async def _expire(self, session: Session, *, card_id: str, now: datetime) -> int:
        card = await self._store.card(session, card_id)
        if card is None or not card.is_due_to_expire(now.date()):
            return 0
        card.expire(now)
        await self._save_cards(session, card)
        return 1

    # Tills

    async def look_up(self, card_number: str) -> CardLookup:
        """A till asks what a card number may do."""
        number = parse_card_number(card_number, self._settings.card_number_length)
        card = await self._store.card_by_number(None, number)
        if card is None:
            raise CardNotFoundError()
        holder = await self._store.member(None, card.person_id) if card.person_id else None
        return CardLookup(card, holder is not None and holder.may_use_money)

    # Payment cards

    async def link_payment_card(self, person_id: str, network: str, network_token: str, last4: str) -> PaymentCard:
        """The issuing bank links a K-Plussa MasterCard to a member."""
        now = self._clock()

        async def work(session: Session) -> PaymentCard:
            member = await self._store.member(session, person_id)
            if member is None or not member.is_active:
                raise MemberNotFoundError()
            card = PaymentCard.link(
                payment_card_id=new_id(),
                member=member,
                network=network,
                network_token=network_token,
                last4=last4,
                now=now,
            )
            if await self._store.payment_card_by_token(session, network_token) is not None:
                raise PaymentCardAlreadyLinkedError()
            await self._store.save_payment_card(session, card)
            await self._publish(session, card.events)
            return card

        card = await self._run(work)
        log.info("payment_card_linked", payment_card_id=card.payment_card_id, person_id=person_id)
        return card

    async def block_payment_card(self, payment_card_id: str, reason: str) -> PaymentCard:
        """The issuing bank blocks a K-Plussa MasterCard."""
        now = self._clock()

        async def work(session: Session) -> PaymentCard:
            card = await self._store.payment_card(session, payment_card_id)
            if card is None:
                raise PaymentCardNotFoundError()
            card.block(reason, now)
            await self._store.save_payment_card(session, card)
            await self._publish(session, card.events)
            return card

        return await self._run(work)

    # Shared steps

    async def _add_parallel_holder(
        self, session: Session, household_id: str, details: PersonDetails, store_id: str | None, now: datetime
    ) -> NewParallelHolder:
        household, loaded = await self._household(session, household_id)
        member = Member.join(
            person_id=new_id(),
            household_id=household_id,
            role=Role.PARALLEL,
            details=details,
            can_use_money=self._settings.parallel_holders_can_use_money_by_default,
            now=now,
        )
        await self._refuse_existing_member(session, member)
        household.add_parallel_holder(member, self._settings.max_parallel_holders, now)
        card = self._issue(CardKind.PARALLEL, household_id, member.person_id, now, issued_by=store_id)
        await self._store.save_household(session, household, loaded)
        await self._store.save_member(session, member)
        await self._store.save_card(session, card)
        await self._publish(session, [*household.events, *card.events])
        return NewParallelHolder(member, card)

    async def _close_cards_of(self, session: Session, person_id: str, reason: str, now: datetime) -> list[Card]:
        cards = [c for c in await self._store.cards_of_person(session, person_id) if c.is_live]
        for card in cards:
            card.close(reason, now)
            await self._store.save_card(session, card)
        return cards

    async def _actor(self, session: Session | None, person_id: str) -> Member:
        member = await self._store.member(session, person_id)
        if member is None or not member.is_active:
            raise NotAMemberError("You are not a member of a household")
        return member

    async def _member_of_household(self, session: Session, household_id: str, person_id: str) -> Member:
        member = await self._store.member(session, person_id)
        if member is None or not member.is_active or member.household_id != household_id:
            raise MemberNotFoundError()
        return member

    async def _household(self, session: Session, household_id: str) -> tuple[Household, int]:
        household = await self._store.household(session, household_id)
        if household is None:
            raise NotAMemberError("Your household no longer exists")
        return household, household.version

    async def _card_for(self, session: Session, person_id: str, card_id: str) -> Card:
        actor = await self._actor(session, person_id)
        card = await self._store.card(session, card_id)
        if card is None:
            raise CardNotFoundError()
        require_card_holder(actor, card)
        return card

    async def _refuse_existing_member(self, session: Session, member: Member) -> None:
        if await self._store.member_exists(session, member):
            raise AlreadyAMemberError("This person already has a Plussa membership")

    async def _save_cards(self, session: Session, *cards: Card) -> None:
        for card in cards:
            await self._store.save_card(session, card)
        await self._publish(session, [e for c in cards for e in c.events])

    def _issue(
        self,
        kind: CardKind,
        household_id: str | None,
        person_id: str | None,
        now: datetime,
        *,
        valid_until: date | None = None,
        issued_by: str | None = None,
    ) -> Card:
        return Card.issue(
            card_id=new_id(),
            card_number=self._new_number(),
            kind=kind,
            household_id=household_id,
            person_id=person_id,
            now=now,
            active=True,
            valid_until=valid_until,
            issued_by=issued_by,
        )

    def _new_number(self) -> str:
        settings = self._settings
        return new_card_number(settings.card_number_prefix, settings.card_number_length, self._random_below)

    async def _publish(self, session: Session, events: Sequence[EventData]) -> None:
        await self._outbox.add(session, envelopes(events, self._settings.event_source))

    async def _run(self, work: Callable[[Session], Awaitable[T]]) -> T:
        for attempt in range(NUMBER_ATTEMPTS):
            try:
                return await self._uow.run(work)
            except DuplicateKeyError as exc:
                # Two requests raced past the checks, or a fresh card number was taken:
                # the unique indexes decided. The work draws a new number when run again.
                if "card_number" in str(exc) and attempt + 1 < NUMBER_ATTEMPTS:
                    log.warning("card_number_taken_retrying", attempt=attempt + 1)
                    continue
                if "identity_key" in str(exc) or "email_key" in str(exc):
                    raise AlreadyAMemberError("This person already has a Plussa membership") from exc
                if "network_token" in str(exc):
                    raise PaymentCardAlreadyLinkedError() from exc
                raise ConcurrentUpdateError() from exc
        raise AssertionError("unreachable")
