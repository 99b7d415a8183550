"""Test helpers of the receipts service: the real service on the real MongoDB and
RabbitMQ, a clock the test moves, and the cards and store systems' events as they
would publish them (used by its integration tests and the end-to-end tests)."""

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from plussa_receipts.context import ReceiptsContext
from plussa_receipts.settings import ReceiptsSettings
from plussa_shared.inbox import INBOX
from plussa_shared.testing.bus import envelope, publish, publish_all
from plussa_shared.testing.tokens import TestTokens

BOUGHT = datetime(2026, 3, 14, 15, 30, tzinfo=UTC)


@dataclass
class Clock:
    """The time the service sees; tests move it."""

    now: datetime = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Receipts:
    """One running receipts service and ways to feed and ask it."""

    client: Any
    ctx: ReceiptsContext
    settings: ReceiptsSettings
    tokens: TestTokens
    clock: Clock

    @property
    def amqp(self) -> tuple[str, str]:
        return self.settings.amqp_url.get_secret_value(), self.settings.amqp_exchange

    async def publish(self, event_type: str, data: dict[str, Any], *, event_id: str | None = None) -> str:
        """Publish an event as another system would; return its id."""
        event = envelope(event_type, data, event_id=event_id)
        await publish(*self.amqp, event)
        return str(event["id"])

    async def card(self, card_number: str, person_id: str | None, household_id: str = "hh-1", version: int = 1) -> None:
        """Announce a card as the cards service does, and wait until it is known."""
        snapshot = {
            "card_id": f"card-{card_number}",
            "card_number": card_number,
            "kind": "main",
            "state": "active",
            "household_id": household_id,
            "person_id": person_id,
            "can_earn": True,
            "can_spend": True,
            "version": version,
        }
        await self.publish("fi.plussa.cards.card.issued", {"card": snapshot, "occurred_at": BOUGHT.isoformat()})

        async def known() -> bool:
            holder = await self.ctx.store.card_by_number(None, card_number)
            return holder is not None and holder.version >= version

        await self.until(known)

    async def purchase(self, card_number: str, lines: list[dict[str, Any]], **options: Any) -> tuple[str, str]:
        """Publish a store purchase (``options`` as ``purchase_event`` takes them); returns
        its purchase id and event id."""
        event = purchase_event(card_number, lines, **options)
        await publish(*self.amqp, event)
        return event["data"]["purchase_id"], str(event["id"])

    async def purchases(self, events: list[dict[str, Any]]) -> list[str]:
        """Publish ``purchase_event``s at once, as a store system sends a burst; their event ids."""
        await publish_all(*self.amqp, events)
        return [str(event["id"]) for event in events]

    def customer(self, person_id: str, household_id: str = "hh-1", role: str = "main") -> dict[str, str]:
        """A signed-in person's headers."""
        return self.tokens.bearer(self.tokens.customer(person_id, household_id, role))

    async def turn_on(self, person_id: str) -> None:
        """The person turns the service on."""
        response = await self.client.put(
            "/v1/me/receipt-service", json={"enabled": True}, headers=self.customer(person_id)
        )
        assert response.status == 200, await response.text()

    async def receipts(self, person_id: str, **query: str) -> list[dict[str, Any]]:
        """The person's receipts list (first page)."""
        response = await self.client.get("/v1/me/receipts", params=query, headers=self.customer(person_id))
        assert response.status == 200, await response.text()
        body = await response.json()
        return list(body["items"])

    async def until(self, check: Callable[[], Awaitable[Any]], timeout: float = 10.0) -> Any:
        """Poll until ``check`` returns something truthy."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            value = await check()
            if value:
                return value
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError("condition not met in time")
            await asyncio.sleep(0.05)

    async def handled(self, event_id: str) -> None:
        """Wait until the consumer has handled (committed) the event ``event_id``."""

        async def done() -> bool:
            return await self.ctx.db[INBOX].find_one({"_id": event_id}) is not None

        await self.until(done)


def purchase_event(
    card_number: str,
    lines: list[dict[str, Any]],
    *,
    purchase_id: str | None = None,
    chain: str = "k-citymarket",
    at: datetime = BOUGHT,
    event_id: str | None = None,
) -> dict[str, Any]:
    """A store purchase as store systems publish it (about ``purchase/{purchase_id}``)."""
    purchase_id = purchase_id or uuid.uuid4().hex
    data = {
        "purchase_id": purchase_id,
        "card_number": card_number,
        "store_id": "kcm-0042",
        "store_name": "K-Citymarket Ruoholahti",
        "chain": chain,
        "occurred_at": at.isoformat(),
        "payment": {"method": "cash", "network_token": None},
        "lines": lines,
        "total_cents": sum(line["amount_cents"] for line in lines),
    }
    return envelope("fi.plussa.stores.purchase.completed", data, subject=f"purchase/{purchase_id}", event_id=event_id)


def line(line_id: str, name: str, cents: int, warranty_months: int | None, quantity: int = 1) -> dict[str, Any]:
    """A purchase line as store systems send it."""
    return {
        "line_id": line_id,
        "product_id": f"prod-{line_id}",
        "name": name,
        "category": "electronics" if warranty_months else "grocery",
        "quantity": quantity,
        "unit_price_cents": cents,
        "amount_cents": cents * quantity,
        "warranty_months": warranty_months,
    }
