"""Write docs/asyncapi.yaml, the machine-readable event contract (AsyncAPI 3.0), from
the event classes the services publish (``make asyncapi``).

Every ``EventData`` subclass with an ``event_type`` in ``plussa_<service>.events``,
and each event store systems publish (``store_events.py``), becomes one channel (its
routing key on the topic exchange), one ``send`` operation of its publisher and one
message whose payload is the CloudEvents envelope with that class's JSON schema as
``data``.
"""

import argparse
import importlib
import inspect
import json
import pkgutil
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft7Validator
from jsonschema.exceptions import best_match
from pydantic.json_schema import models_json_schema

from plussa_shared.events import EVENT_TYPE_PREFIX, EventData, RawEvent, routing_key_for
from plussa_shared.outbox import CLOUDEVENTS_JSON
from scripts.awaited_events import AWAITED_EVENTS
from scripts.store_events import STORE_EVENTS

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "docs" / "asyncapi.yaml"
SPEC_SCHEMA = ROOT / "docs" / "schemas" / "asyncapi-3.0.0.json"
"""The official JSON Schema of AsyncAPI 3.0.0 (vendored: docs/schemas/README.md)."""
SERVICES = ("identity", "cards", "points", "benefits", "notifications", "receipts")
EXCHANGE = "plussa.events"
PARTNER_EXCHANGE = "plussa.partner"
PRIVATE_PREFIX = "plussa.private."
SCHEMA_REF = "#/components/schemas/{model}"
STORES = "stores"
AMQP_BINDING_VERSION = "0.3.0"


@dataclass(frozen=True)
class PublishedEvent:
    """One event type and the service that publishes it."""

    service: str
    event_type: str
    model: type[EventData]

    @property
    def routing_key(self) -> str:
        """The channel address: the type without ``fi.plussa.``."""
        return routing_key_for(self.event_type)

    @property
    def source_schema(self) -> dict[str, str]:
        """The CloudEvents ``source`` of this event: the service, or any store."""
        if self.service == STORES:
            return {"pattern": "^/stores/[^/]+$"}
        return {"const": f"/plussa/{self.service}"}

    @property
    def publisher(self) -> str:
        """Who publishes it, for people."""
        return "store systems" if self.service == STORES else self.service

    @property
    def audience(self) -> str:
        """Who may read it: ``internal``, ``partner`` (internal too) or ``private:<recipient>``."""
        if self.model.recipient:
            return f"private:{self.model.recipient}"
        return "partner" if self.model.partner else "internal"

    @property
    def exchange(self) -> str:
        """The exchange it is published to."""
        return PRIVATE_PREFIX + self.model.recipient if self.model.recipient else EXCHANGE

    @property
    def audience_text(self) -> str:
        """The audience for people."""
        if self.model.recipient:
            return (
                f"Private to {self.model.recipient}: published to `{self.exchange}`, which only "
                f"{self.model.recipient}'s broker user may read (it carries a secret or personal data)."
            )
        if self.model.partner:
            return (
                f"Partners too: the broker copies it from `{EXCHANGE}` to `{PARTNER_EXCHANGE}`, the only "
                "exchange partner chains may read. Minimised: ids and business facts only."
            )
        return f"Internal: on `{EXCHANGE}`, which only the platform's services may read."

    @property
    def summary(self) -> str:
        """The first line of the class's docstring."""
        return (inspect.getdoc(self.model) or self.event_type).splitlines()[0]


def import_events_packages(services: Iterable[str] = SERVICES) -> None:
    """Import every module of each service's ``events`` package, so all event classes exist."""
    for service in services:
        package = importlib.import_module(f"plussa_{service}.events")
        for module in pkgutil.walk_packages(package.__path__, prefix=f"{package.__name__}."):
            importlib.import_module(module.name)


def _subclasses(cls: type[EventData]) -> Iterable[type[EventData]]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def published_events(
    services: Iterable[str] = SERVICES, classes: Iterable[type[EventData]] | None = None
) -> list[PublishedEvent]:
    """The event types the services publish (among ``classes``, by default every loaded
    ``EventData`` subclass), sorted by type; one class per type."""
    wanted = tuple(services)
    found: dict[str, PublishedEvent] = {}
    for model in _subclasses(EventData) if classes is None else classes:
        service = model.__module__.split(".")[0].removeprefix("plussa_")
        if service not in wanted or not model.event_type:
            continue
        event = PublishedEvent(service, model.event_type, model)
        known = found.get(model.event_type)
        if known is not None and known.model is not model and not issubclass(model, known.model):
            raise ValueError(
                f"{model.event_type} is declared twice: {known.model.__qualname__} and {model.__qualname__}"
            )
        found.setdefault(model.event_type, event)
    return sorted(found.values(), key=lambda e: e.event_type)


def contract_events() -> list[PublishedEvent]:
    """Every event of the contract: what the services publish, what store systems do, and
    what a service consumes before its publisher publishes it (``awaited_events.py``)."""
    import_events_packages()
    events = published_events() + [PublishedEvent(STORES, model.event_type, model) for model in STORE_EVENTS]
    published = {event.event_type for event in events}
    events += [
        PublishedEvent(service, model.event_type, model)
        for service, model in AWAITED_EVENTS
        if model.event_type not in published
    ]
    return sorted(events, key=lambda e: e.event_type)


def _envelope_schema() -> dict[str, Any]:
    schema = RawEvent.model_json_schema(mode="serialization", ref_template=SCHEMA_REF)
    schema["title"] = "CloudEvent"
    schema["description"] = (
        "CloudEvents 1.0 in JSON structured mode. `type` names the event, the routing key is the type "
        f"without `{EVENT_TYPE_PREFIX}`; `data` is the event's payload."
    )
    return schema


def build_document(events: list[PublishedEvent], *, version: str = "0.1.0") -> dict[str, Any]:
    """The AsyncAPI 3.0 document for ``events``."""
    keyed, definitions = models_json_schema(
        [(event.model, "serialization") for event in events], ref_template=SCHEMA_REF
    )
    schemas: dict[str, Any] = {"CloudEvent": _envelope_schema(), **definitions.get("$defs", {})}
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for event in events:
        key = event.routing_key
        data_ref = keyed[(event.model, "serialization")]["$ref"]
        messages[key] = {
            "name": event.event_type,
            "title": event.model.__name__,
            "summary": event.summary,
            "contentType": CLOUDEVENTS_JSON,
            "payload": {
                "allOf": [
                    {"$ref": SCHEMA_REF.format(model="CloudEvent")},
                    {
                        "type": "object",
                        "properties": {
                            "type": {"const": event.event_type},
                            "source": event.source_schema,
                            "data": {"$ref": data_ref},
                        },
                        "required": ["type", "data"],
                    },
                ]
            },
            "bindings": {"amqp": {"messageType": event.event_type, "bindingVersion": AMQP_BINDING_VERSION}},
        }
        channels[key] = {
            "address": key,
            "title": event.event_type,
            "summary": event.summary,
            "description": event.audience_text,
            "messages": {key: {"$ref": f"#/components/messages/{key}"}},
            "bindings": {"amqp": _channel_binding(event.exchange)},
            "x-plussa-audience": event.audience,
        }
        operations[f"{event.service}.publishes.{key}"] = {
            "action": "send",
            "title": f"Published by {event.publisher}: {event.event_type}",
            "channel": {"$ref": f"#/channels/{key}"},
            "messages": [{"$ref": f"#/channels/{key}/messages/{key}"}],
            "bindings": {"$ref": "#/components/operationBindings/persistent"},
        }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Oma Plussa events",
            "version": version,
            "description": (
                "The events the Oma Plussa services publish on the durable topic exchange "
                f"`{EXCHANGE}` (internal: only the services' broker users may read it), and the purchase "
                "events store systems publish there for them. Partner chains read only "
                f"`{PARTNER_EXCHANGE}`: the channels whose `x-plussa-audience` is `partner`, copied there by "
                "the broker. Events carrying a secret for one service (`x-plussa-audience: private:<service>`) "
                f"are published to `{PRIVATE_PREFIX}<service>` instead, which only that service may read. "
                "Each message is a persistent CloudEvents 1.0 envelope in JSON; the services publish "
                "with publisher confirms through a transactional outbox; consumers record handled event ids, "
                "so a redelivery changes nothing. Field meanings: docs/event-contract.md. "
                "Generated by `make asyncapi` from the services' event classes: do not edit by hand."
            ),
        },
        "defaultContentType": CLOUDEVENTS_JSON,
        "servers": {
            "development": {
                "host": "127.0.0.1:5672",
                "protocol": "amqp",
                "protocolVersion": "0.9.1",
                "description": "RabbitMQ of the dev stack (`make run`).",
            }
        },
        "channels": channels,
        "operations": operations,
        "components": {
            "schemas": schemas,
            "messages": messages,
            "operationBindings": {
                "persistent": {"amqp": {"deliveryMode": 2, "mandatory": False, "bindingVersion": AMQP_BINDING_VERSION}}
            },
        },
    }


def _channel_binding(exchange: str) -> dict[str, Any]:
    return {
        "is": "routingKey",
        "exchange": {"name": exchange, "type": "topic", "durable": True, "autoDelete": False, "vhost": "/"},
        "bindingVersion": AMQP_BINDING_VERSION,
    }


def spec_errors(document: dict[str, Any]) -> list[str]:
    """Where ``document`` breaks the official AsyncAPI 3.0.0 JSON Schema; empty when valid."""
    validator = Draft7Validator(json.loads(SPEC_SCHEMA.read_text()))
    errors = list(validator.iter_errors(document))
    described = []
    for error in errors:
        # The schema's oneOf/anyOf branches report the whole object; the best match names the field.
        deepest = best_match([error, *error.context]) if error.context else error
        where = "/".join(str(part) for part in deepest.absolute_path) or "(document)"
        described.append(f"{where}: {deepest.message[:300]}")
    return described


def render(document: dict[str, Any]) -> str:
    """The document as YAML, keys in the order they were built."""
    header = "# Generated by `make asyncapi` (scripts/asyncapi.py) from the services' event classes.\n"
    return header + yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)


def main(argv: list[str] | None = None) -> int:
    """Write the document; with ``--check`` only report whether it is up to date."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--output", type=Path, default=OUTPUT)
    parser.add_argument("--check", action="store_true", help="exit 1 if the file differs from what would be written")
    args = parser.parse_args(argv)
    events = contract_events()
    document = build_document(events)
    errors = spec_errors(document)
    if errors:
        print("the document breaks the AsyncAPI 3.0.0 schema:\n  " + "\n  ".join(errors), file=sys.stderr)
        return 1
    text = render(document)
    if args.check:
        current = args.output.read_text() if args.output.exists() else ""
        if current != text:
            print(f"{args.output} is out of date: run make asyncapi", file=sys.stderr)
            return 1
        print(f"{args.output} is up to date and valid AsyncAPI 3.0.0 ({len(events)} event types)")
        return 0
    args.output.write_text(text)
    print(f"wrote {args.output} ({len(events)} event types)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
