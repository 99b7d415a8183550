"""Typed mappers between the cards service's documents and its domain objects."""

from datetime import date

from plussa_cards.domain.card import Card, CardKind, CardState
from plussa_cards.domain.household import Household
from plussa_cards.domain.member import Address, Member, MemberStatus, Role
from plussa_cards.domain.payment_card import PaymentCard, PaymentCardState
from plussa_shared.mongo import Document


def household_document(h: Household) -> Document:
    return {
        "_id": h.household_id,
        "main_person_id": h.main_person_id,
        "parallel_person_ids": list(h.parallel_person_ids),
        "parallel_count": len(h.parallel_person_ids),
        "created_at": h.created_at,
        "version": h.version,
    }


def household_from(d: Document) -> Household:
    return Household(
        household_id=d["_id"],
        main_person_id=d["main_person_id"],
        parallel_person_ids=list(d["parallel_person_ids"]),
        created_at=d["created_at"],
        version=d["version"],
    )


def member_document(m: Member) -> Document:
    return {
        "_id": m.person_id,
        "household_id": m.household_id,
        "role": m.role.value,
        "first_name": m.first_name,
        "last_name": m.last_name,
        "date_of_birth": m.date_of_birth.isoformat() if m.date_of_birth else None,
        "email": m.email,
        "language": m.language,
        "address": vars(m.address) if m.address else None,
        "can_use_money": m.can_use_money,
        "joined_at": m.joined_at,
        "status": m.status.value,
        "has_online_account": m.has_online_account,
        "identity_key": m.identity_key,
        "email_key": m.email_key,
        "lock": 0,
    }


def member_from(d: Document) -> Member:
    return Member(
        person_id=d["_id"],
        household_id=d["household_id"],
        role=Role(d["role"]),
        first_name=d["first_name"],
        last_name=d["last_name"],
        date_of_birth=date.fromisoformat(d["date_of_birth"]) if d["date_of_birth"] else None,
        email=d["email"],
        language=d["language"],
        address=Address(**d["address"]) if d["address"] else None,
        can_use_money=d["can_use_money"],
        joined_at=d["joined_at"],
        status=MemberStatus(d["status"]),
        has_online_account=d.get("has_online_account", False),
    )


def card_document(c: Card) -> Document:
    return {
        "_id": c.card_id,
        "card_number": c.card_number,
        "kind": c.kind.value,
        "state": c.state.value,
        "household_id": c.household_id,
        "person_id": c.person_id,
        "issued_at": c.issued_at,
        "valid_until": c.valid_until.isoformat() if c.valid_until else None,
        "replaces_card_id": c.replaces_card_id,
        "replacement_card_id": c.replacement_card_id,
        "issued_by": c.issued_by,
        "version": c.version,
    }


def card_from(d: Document) -> Card:
    return Card(
        card_id=d["_id"],
        card_number=d["card_number"],
        kind=CardKind(d["kind"]),
        state=CardState(d["state"]),
        household_id=d["household_id"],
        person_id=d["person_id"],
        issued_at=d["issued_at"],
        valid_until=date.fromisoformat(d["valid_until"]) if d["valid_until"] else None,
        replaces_card_id=d["replaces_card_id"],
        replacement_card_id=d["replacement_card_id"],
        issued_by=d.get("issued_by"),
        version=d["version"],
    )


def payment_card_document(p: PaymentCard) -> Document:
    return {
        "_id": p.payment_card_id,
        "household_id": p.household_id,
        "person_id": p.person_id,
        "network": p.network,
        "network_token": p.network_token,
        "last4": p.last4,
        "linked_at": p.linked_at,
        "state": p.state.value,
    }


def payment_card_from(d: Document) -> PaymentCard:
    return PaymentCard(
        payment_card_id=d["_id"],
        household_id=d["household_id"],
        person_id=d["person_id"],
        network=d["network"],
        network_token=d["network_token"],
        last4=d["last4"],
        linked_at=d["linked_at"],
        state=PaymentCardState(d["state"]),
    )
