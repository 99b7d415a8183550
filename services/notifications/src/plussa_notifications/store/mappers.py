"""Typed mapping between documents and the domain's objects."""

from typing import Any

from plussa_notifications.domain.chains import Chain
from plussa_notifications.domain.consent import ConsentEntry, ContactPreferences
from plussa_notifications.domain.messages import Message, MessageKind, MessageStatus
from plussa_notifications.domain.people import Person
from plussa_shared.mongo import Document


def chain_to_doc(chain: Chain) -> Document:
    return {"_id": chain.chain_id, "kind": chain.kind.value, "names": chain.names.model_dump()}


def chain_from_doc(doc: Document) -> Chain:
    return Chain.model_validate({"chain_id": doc["_id"], "kind": doc["kind"], "names": doc["names"]}, strict=False)


def person_from_doc(doc: Document) -> Person:
    return Person(
        person_id=doc["_id"],
        email=doc.get("email"),
        email_verified=bool(doc.get("email_verified", False)),
        language=doc.get("language") or "fi",
        first_name=doc.get("first_name"),
        household_id=doc.get("household_id"),
    )


def preferences_from_doc(person_id: str, doc: Document | None) -> ContactPreferences:
    if doc is None:
        return ContactPreferences(person_id)
    return ContactPreferences(person_id, dict(doc.get("consents", {})), int(doc.get("version", 0)))


def preferences_to_doc(prefs: ContactPreferences) -> Document:
    return {"consents": prefs.consents, "opted_in": prefs.opted_in, "version": prefs.version}


def entry_to_doc(entry: ConsentEntry) -> Document:
    doc = entry.model_dump(mode="python")
    doc["_id"] = doc.pop("entry_id")
    doc["source"] = entry.source.value
    return doc


def entry_from_doc(doc: Document) -> ConsentEntry:
    return ConsentEntry.model_validate({**{k: v for k, v in doc.items() if k != "_id"}, "entry_id": doc["_id"]})


_MESSAGE_FIELDS = set(Message.__dataclass_fields__) - {"message_id", "outcome"}


def message_to_doc(message: Message) -> Document:
    doc: dict[str, Any] = {k: getattr(message, k) for k in _MESSAGE_FIELDS}
    doc["_id"] = message.message_id
    doc["kind"] = message.kind.value
    doc["status"] = message.status.value
    return doc


def message_from_doc(doc: Document) -> Message:
    values: dict[str, Any] = {k: doc.get(k) for k in _MESSAGE_FIELDS if k in doc}
    values["kind"] = MessageKind(doc["kind"])
    values["status"] = MessageStatus(doc["status"])
    values["data"] = dict(doc.get("data") or {})
    return Message(message_id=doc["_id"], **values)
