"""This service's own copy of cards, members, money access and MasterCard tokens,
kept from the cards service's events. A card snapshot is applied only when its
version is newer than the one held."""

from datetime import datetime

from plussa_points.context import Points
from plussa_points.events.consumed import (
    AccessChanged,
    CardChanged,
    HouseholdCreated,
    MemberAdded,
    MemberRemoved,
    PaymentCardBlocked,
    PaymentCardLinked,
)
from plussa_points.linking import move_card_points
from plussa_points.store import member_key
from plussa_shared.mongo import Session


async def apply_card(pts: Points, data: CardChanged, session: Session, at: datetime) -> None:
    """Keep the newest snapshot of a card (an older or equal version changes nothing);
    a card now on a household brings along what it collected while unlinked."""
    card = data.card
    snapshot = {
        "_id": card.card_id,
        "card_number": card.card_number,
        "kind": card.kind,
        "state": card.state,
        "household_id": card.household_id,
        "person_id": card.person_id,
        "can_earn": card.can_earn,
        "can_spend": card.can_spend,
        "version": card.version,
    }
    # One pipeline update on the id: replaces only when newer, inserts when new;
    # concurrent writers of one card meet as a transaction write conflict and retry.
    await pts.store.cards.update_one(
        {"_id": card.card_id},
        [
            {
                "$replaceWith": {
                    "$cond": [
                        {"$lt": [{"$ifNull": ["$version", -1]}, card.version]},
                        {"$literal": snapshot},
                        "$$ROOT",
                    ]
                }
            }
        ],
        upsert=True,
        session=session,
    )
    if card.household_id is not None:
        await _ensure_account(pts, card.household_id, session)
        await move_card_points(pts, card.card_id, card.household_id, card.person_id, at, session)


async def _ensure_account(pts: Points, household_id: str, session: Session) -> None:
    await pts.store.accounts.update_one(
        {"_id": household_id},
        {"$setOnInsert": {"points": 0, "kind": "household"}},
        upsert=True,
        session=session,
    )


async def household_created(pts: Points, data: HouseholdCreated, session: Session) -> None:
    """Open the household's account."""
    await _ensure_account(pts, data.household_id, session)


async def member_added(pts: Points, data: MemberAdded, session: Session, at: datetime) -> None:
    """Record a membership (role and money access only; no names or contact details)."""
    await pts.store.members.update_one(
        {"_id": member_key(data.household_id, data.person_id)},
        {
            "$set": {
                "household_id": data.household_id,
                "person_id": data.person_id,
                "role": data.role,
                "can_use_money": data.can_use_money,
                "active": True,
                "changed_at": at,
            }
        },
        upsert=True,
        session=session,
    )
    await _ensure_account(pts, data.household_id, session)


async def member_removed(pts: Points, data: MemberRemoved, session: Session, at: datetime) -> None:
    """A removed member keeps their history but no longer sees or uses anything."""
    await pts.store.members.update_one(
        {"_id": member_key(data.household_id, data.person_id)},
        {"$set": {"active": False, "can_use_money": False, "changed_at": at}},
        session=session,
    )


async def access_changed(pts: Points, data: AccessChanged, session: Session, at: datetime) -> None:
    """The main holder granted or withdrew a parallel holder's money access."""
    await pts.store.members.update_one(
        {"_id": member_key(data.household_id, data.person_id)},
        {
            "$set": {"can_use_money": data.can_use_money, "changed_at": at},
            "$setOnInsert": {
                "household_id": data.household_id,
                "person_id": data.person_id,
                "role": "parallel",
                "active": True,
            },
        },
        upsert=True,
        session=session,
    )


async def payment_card_linked(pts: Points, data: PaymentCardLinked, session: Session) -> None:
    """Remember a K-Plussa MasterCard by its token only."""
    await pts.store.payment_cards.update_one(
        {"_id": data.payment_card_id},
        {
            "$set": {"network_token": data.network_token, "household_id": data.household_id},
            "$setOnInsert": {"blocked": False},
        },
        upsert=True,
        session=session,
    )


async def payment_card_blocked(pts: Points, data: PaymentCardBlocked, session: Session) -> None:
    """A blocked MasterCard no longer brings extra points, whatever arrives later."""
    await pts.store.payment_cards.update_one(
        {"_id": data.payment_card_id},
        {"$set": {"network_token": data.network_token, "blocked": True}},
        upsert=True,
        session=session,
    )
