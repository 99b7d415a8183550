"""The AsyncAPI document lists every event the services publish, with the schema of
its class as the envelope's data, every reference in it resolves, and it is valid by the
official AsyncAPI 3.0.0 JSON Schema (vendored in docs/schemas, run with jsonschema)."""

import copy
import functools
import importlib
import inspect
import json
import pkgutil
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import yaml
from jsonschema import Draft7Validator

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


@functools.cache
def generated() -> dict[str, Any]:
    """The document as ``make asyncapi`` would write it (built once; copy before changing it)."""
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


@functools.cache
def official_validator() -> Draft7Validator:
    schema = json.loads(asyncapi.SPEC_SCHEMA.read_text())
    assert schema["title"] == "AsyncAPI 3.0.0 schema."
    Draft7Validator.check_schema(schema)
    return Draft7Validator(schema)


def test_the_committed_document_is_valid_by_the_official_asyncapi_3_schema() -> None:
    committed = yaml.safe_load(asyncapi.OUTPUT.read_text())

    errors = [f"{list(e.absolute_path)}: {e.message[:200]}" for e in official_validator().iter_errors(committed)]

    assert errors == []
    assert committed == generated()


def _set(path: list[str], value: Any) -> Callable[[dict[str, Any]], None]:
    def change(document: dict[str, Any]) -> None:
        node = document
        for part in path[:-1]:
            node = node[part]
        node[path[-1]] = value

    return change


def _remove(path: list[str]) -> Callable[[dict[str, Any]], None]:
    def change(document: dict[str, Any]) -> None:
        node = document
        for part in path[:-1]:
            node = node[part]
        del node[path[-1]]

    return change


BROKEN = {
    "an operation with AsyncAPI 2's verb": _set(
        ["operations", "cards.publishes.cards.card.activated", "action"], "publish"
    ),
    "a channel address that is not a string": _set(["channels", "cards.card.activated", "address"], 5),
    "a channel with an unknown field": _set(["channels", "cards.card.activated", "publish"], {}),
    "a payload schema with an unknown type": _set(
        ["components", "messages", "cards.card.activated", "payload", "type"], "nonsense"
    ),
    "a component schema whose required is not a list": _set(["components", "schemas", "CloudEvent", "required"], "id"),
    "an AMQP channel binding of an unknown kind": _set(
        ["channels", "cards.card.activated", "bindings", "amqp", "is"], "topic"
    ),
    "info without a version": _remove(["info", "version"]),
    "a server without a protocol": _remove(["servers", "development", "protocol"]),
}


@pytest.mark.parametrize("breakage", sorted(BROKEN))
def test_a_deliberately_broken_copy_fails_the_official_schema(breakage: str) -> None:
    broken = copy.deepcopy(generated())
    BROKEN[breakage](broken)

    assert list(official_validator().iter_errors(broken)) != []
    assert asyncapi.spec_errors(broken) != []


def test_the_generator_refuses_to_write_a_document_the_schema_refuses(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    real = asyncapi.build_document

    def broken_document(events: Any) -> dict[str, Any]:
        document = real(events)
        del document["info"]["version"]
        return document

    monkeypatch.setattr(asyncapi, "build_document", broken_document)
    output = tmp_path / "asyncapi.yaml"

    assert asyncapi.main(["--output", str(output)]) == 1
    assert not output.exists()
