"""Keeping identity's own view of cards and members from the cards events."""

from datetime import UTC, datetime

from plussa_identity.bootstrap import Identity
from plussa_identity.domain.members import CardView
from plussa_identity.events.card_events import AccessChanged, CardChanged, HouseholdCreated, MemberAdded, MemberRemoved
from plussa_shared.events import CloudEvent
from plussa_shared.mongo import Session


async def card_changed(identity: Identity, event: CloudEvent[CardChanged], session: Session) -> None:
    """Keep the card as the newest version describes it; older versions change nothing."""
    card = event.data.card
    view = CardView(
        card_id=card.card_id,
        card_number=card.card_number,
        kind=card.kind,
        state=card.state,
        household_id=card.household_id,
        person_id=card.person_id,
        version=card.version,
    )
    await identity.store.save_card_if_newer(view, session)


async def household_created(identity: Identity, event: CloudEvent[HouseholdCreated], session: Session) -> None:
    """The main holder of a new household."""
    data = event.data
    await identity.store.update_member(
        data.main_person_id, {"household_id": data.household_id, "role": "main", "removed": False}, session
    )


async def member_added(identity: Identity, event: CloudEvent[MemberAdded], session: Session) -> None:
    """A person joined a household (what they gave on the card application included)."""
    fields = event.data.model_dump(mode="json", exclude={"person_id"})
    await identity.store.update_member(event.data.person_id, {**fields, "removed": False}, session)


async def member_removed(identity: Identity, event: CloudEvent[MemberRemoved], session: Session) -> None:
    """A person left the household: their sessions end and they cannot refresh or log in."""
    data = event.data
    member = await identity.store.member(data.person_id, session)
    if member is None or member.household_id != data.household_id:
        return
    await identity.store.update_member(
        data.person_id, {"household_id": None, "role": None, "removed": True, "can_use_money": False}, session
    )
    await identity.store.revoke_sessions(data.person_id, datetime.now(UTC), "membership-ended", session)


async def access_changed(identity: Identity, event: CloudEvent[AccessChanged], session: Session) -> None:
    """Whether a parallel holder may see and use the Plussa money."""
    await identity.store.update_member(event.data.person_id, {"can_use_money": event.data.can_use_money}, session)
