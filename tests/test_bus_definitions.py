"""The broker definitions in deploy/ match the event classes, and what partners may
read is minimised."""

from typing import Any

from plussa_shared import bus_access
from scripts import rabbitmq_definitions
from scripts.asyncapi import contract_events

PERSONAL = {
    "email",
    "first_name",
    "last_name",
    "name",
    "date_of_birth",
    "phone",
    "postal_address",
    "address",
    "token",
    "data",
    "password",
}


def _fields(schema: dict[str, Any], defs: dict[str, Any]) -> set[str]:
    names = set(schema.get("properties", {}))
    for prop in schema.get("properties", {}).values():
        ref = prop.get("$ref") or next((a.get("$ref") for a in prop.get("anyOf", []) if "$ref" in a), None)
        if ref:
            names |= _fields(defs[ref.rsplit("/", 1)[-1]], defs)
    return names


def test_the_definitions_file_is_what_the_event_classes_make() -> None:
    assert rabbitmq_definitions.OUTPUT.read_text() == rabbitmq_definitions.render()


def test_no_event_partners_read_carries_personal_data_or_secrets() -> None:
    partner = [e for e in contract_events() if e.model.partner]
    assert partner
    for event in partner:
        schema = event.model.model_json_schema()
        leaked = _fields(schema, schema.get("$defs", {})) & PERSONAL
        assert not leaked, f"{event.event_type} is marked for partners but carries {sorted(leaked)}"


def test_tokens_and_exports_travel_only_to_their_recipient() -> None:
    private = {e.event_type: e.model.recipient for e in contract_events() if e.model.recipient}
    assert private["fi.plussa.identity.password_reset.requested"] == "notifications"
    assert private["fi.plussa.identity.email_verification.requested"] == "notifications"
    assert private["fi.plussa.cards.export.completed"] == "identity"
    assert private["fi.plussa.points.export.completed"] == "identity"


def test_in_the_definitions_only_the_partner_user_reads_the_partner_exchange_and_nobody_else_reads_it() -> None:
    document = rabbitmq_definitions.document()
    readers = [p["user"] for p in document["permissions"] if "plussa\\.partner" in p["read"]]
    assert readers == [f"partner-{bus_access.EXAMPLE_PARTNER}"]
    partner = next(p for p in document["permissions"] if p["user"] == readers[0])
    assert "plussa\\.events" not in partner["read"]
    assert all(user["password_hash"] == "" for user in document["users"])
