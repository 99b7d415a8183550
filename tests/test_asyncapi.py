"""The AsyncAPI document lists every event the services publish, with the schema of
its class as the envelope's data, and every reference in it resolves."""

import importlib
import inspect
import pkgutil
from collections.abc import Iterator
from typing import Any

import pytest
import yaml

from plussa_shared.events import EventData
from scripts import asyncapi

SERVICES = ("identity", "cards", "points", "benefits", "notifications", "receipts")


def event_classes_in_the_services() -> dict[str, type[EventData]]:
    """Every EventData subclass with a type, found by reading each events module."""
    found: dict[str, type[EventData]] = {}
    for service in SERVICES:
        package = importlib.import_module(f"plussa_{service}.events")
        modules = [package] + [
            importlib.import_module(info.name)
            for info in pkgutil.walk_packages(package.__path__, prefix=f"{package.__name__}.")
        ]
        for module in modules:
            for _, cls in inspect.getmembers(module, inspect.isclass):
                if issubclass(cls, EventData) and cls.event_type and cls.__module__.startswith(f"plussa_{service}."):
                    found.setdefault(cls.event_type, cls)
    return found


def generated() -> dict[str, Any]:
    text = asyncapi.render(asyncapi.build_document(asyncapi.contract_events()))
    document: dict[str, Any] = yaml.safe_load(text)
    return document


def refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from refs(item)


def resolve(document: dict[str, Any], ref: str) -> Any:
    assert ref.startswith("#/"), ref
    node: Any = document
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def test_every_published_event_class_has_a_channel_an_operation_and_a_message() -> None:
    classes = event_classes_in_the_services()
    document = generated()
    messages = document["components"]["messages"]

    by_type = {message["name"]: message for message in messages.values()}
    assert set(classes) <= set(by_type), sorted(set(classes) - set(by_type))
    for event_type in classes:
        key = event_type.removeprefix("fi.plussa.")
        assert document["channels"][key]["address"] == key
        assert any(op["channel"]["$ref"] == f"#/channels/{key}" for op in document["operations"].values())


def test_each_message_carries_its_class_schema_as_the_envelope_data() -> None:
    classes = event_classes_in_the_services()
    document = generated()

    for event_type, cls in classes.items():
        message = document["components"]["messages"][event_type.removeprefix("fi.plussa.")]
        envelope, specific = message["payload"]["allOf"]
        data_schema = resolve(document, specific["properties"]["data"]["$ref"])
        expected = cls.model_json_schema(mode="serialization")
        assert envelope == {"$ref": "#/components/schemas/CloudEvent"}
        assert specific["properties"]["type"] == {"const": event_type}
        assert set(data_schema["properties"]) == set(expected["properties"])
        assert data_schema.get("required", []) == expected.get("required", [])


def test_the_events_store_systems_publish_are_in_the_contract_with_a_store_source() -> None:
    document = generated()

    for key in ("stores.purchase.completed", "stores.purchase.returned"):
        specific = document["components"]["messages"][key]["payload"]["allOf"][1]
        data = resolve(document, specific["properties"]["data"]["$ref"])
        assert specific["properties"]["source"] == {"pattern": "^/stores/[^/]+$"}
        assert {"purchase_id", "card_number", "occurred_at", "lines"} <= set(data["properties"])


def test_every_reference_in_the_document_resolves() -> None:
    document = generated()

    assert document["asyncapi"].startswith("3.")
    for ref in set(refs(document)):
        assert resolve(document, ref) is not None, ref


def test_an_event_type_declared_by_two_unrelated_classes_is_refused() -> None:
    class First(EventData):
        event_type = "fi.plussa.notes.note.written"

    class Second(EventData):
        event_type = "fi.plussa.notes.note.written"

    First.__module__ = Second.__module__ = "plussa_notes.events.note_written"

    with pytest.raises(ValueError, match="declared twice"):
        asyncapi.published_events(["notes"], classes=[First, Second])
