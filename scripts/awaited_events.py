"""Events a service already consumes whose publisher does not publish them yet, as
docs/event-contract.md defines them, so that the AsyncAPI document covers every event
the suite publishes or consumes. An entry stops counting as soon as its publisher has a
class for the type (``scripts/asyncapi.py`` then takes the publisher's); remove it then."""

from plussa_shared.events import EventData

AWAITED_EVENTS: tuple[tuple[str, type[EventData]], ...] = ()
"""(publisher, class) of each awaited event: none today."""
