"""Fixtures of the benefits service's integration tests: the real service on the real
MongoDB and RabbitMQ, a clock the test moves, and helpers to announce people, cards and
purchases as the cards service and store systems would."""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from plussa_benefits.app import create_app
from plussa_benefits.context import BenefitsContext
from plussa_benefits.events.consumed import CardChanged, MemberAdded, PurchaseCompleted
from plussa_benefits.settings import BenefitsSettings
from plussa_benefits.store import mappers
from plussa_benefits.use_cases import people, purchases
from plussa_shared.events import CloudEvent
from plussa_shared.keys import context_of
from plussa_shared.testing.bus import envelope, publish
from plussa_shared.testing.tokens import TestTokens

CHAIN = "k-citymarket"
GROCERY_RULE = {"feature": "spend_cents", "months": 3, "category": "grocery", "op": ">=", "value": 10_000}


@dataclass
class Clock:
    """The time the service sees; tests move it."""

    now: datetime = datetime(2026, 3, 15, 10, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Harness:
    """One running benefits service and ways to feed it."""

    client: Any
    ctx: BenefitsContext
    settings: BenefitsSettings
    tokens: TestTokens
    clock: Clock
    cards: dict[str, str] = field(default_factory=dict)

    @property
    def issuer(self) -> dict[str, str]:
        return self.tokens.bearer(self.tokens.service(CHAIN, "benefits:offers"))

    def store(self, store_id: str) -> dict[str, str]:
        return self.tokens.bearer(self.tokens.service(store_id, "benefits:sponsorship"))

    def customer(
        self, person_id: str, household_id: str = "hh-1", role: str = "main", **headers: str
    ) -> dict[str, str]:
        return {**self.tokens.bearer(self.tokens.customer(person_id, household_id, role)), **headers}

    async def publish(self, event_type: str, data: dict[str, Any], *, event_id: str | None = None) -> str:
        event = envelope(event_type, data, event_id=event_id)
        await publish(self.settings.amqp_url.get_secret_value(), self.settings.amqp_exchange, event)
        return str(event["id"])

    async def person(self, person_id: str, household_id: str = "hh-1", role: str = "main", language: str = "fi") -> str:
        """A member with a card; the card number."""
        number = f"{4000_0000_0000_0000 + len(self.cards):016d}"
        self.cards[person_id] = number
        member = MemberAdded(household_id=household_id, person_id=person_id, role=role, language=language)  # type: ignore[arg-type]
        await people.member_added(self.ctx, _event("fi.plussa.cards.member.added", member))
        card = CardChanged.model_validate(
            {
                "card": {
                    "card_id": f"c-{person_id}",
                    "card_number": number,
                    "household_id": household_id,
                    "person_id": person_id,
                    "version": 1,
                }
            }
        )
        await people.card_changed(self.ctx, _event("fi.plussa.cards.card.issued", card))
        return number

    def purchase_data(
        self,
        person_id: str,
        purchase_id: str,
        *lines: tuple[str, int],
        store_id: str = "store-1",
        at: datetime | None = None,
    ) -> dict[str, Any]:
        return {
            "purchase_id": purchase_id,
            "card_number": self.cards[person_id],
            "store_id": store_id,
            "store_name": "K-Citymarket Test",
            "chain": CHAIN,
            "occurred_at": (at or self.clock.now).isoformat(),
            "payment": {"method": "cash", "network_token": None},
            "lines": [
                {
                    "line_id": f"l{n}",
                    "product_id": f"p-{category}",
                    "name": "thing",
                    "category": category,
                    "quantity": 1,
                    "unit_price_cents": cents,
                    "amount_cents": cents,
                    "warranty_months": None,
                }
                for n, (category, cents) in enumerate(lines)
            ],
            "total_cents": sum(cents for _, cents in lines),
        }

    async def buy(self, person_id: str, purchase_id: str, *lines: tuple[str, int], store_id: str = "store-1") -> None:
        """A purchase applied directly (as the consumer would, one event)."""
        data = PurchaseCompleted.model_validate(self.purchase_data(person_id, purchase_id, *lines, store_id=store_id))
        await purchases.record_purchase(self.ctx, _event("fi.plussa.stores.purchase.completed", data))

    async def segment(self, rule: dict[str, Any] | None = None) -> str:
        answer = await self.client.post(
            "/v1/segments", json={"name": "Grocery", "rule": rule or GROCERY_RULE}, headers=self.issuer
        )
        assert answer.status == 201, await answer.text()
        return str((await answer.json())["segment_id"])

    def offer_body(self, segment_id: str, /, **changes: Any) -> dict[str, Any]:
        body: dict[str, Any] = {
            "title": {"fi": "Kahvia", "sv": "Kaffe", "en": "Coffee"},
            "description": {"fi": "Lisäpisteitä", "sv": "Extrapoäng", "en": "Extra points"},
            "valid_from": (self.clock.now - timedelta(days=1)).isoformat(),
            "valid_until": (self.clock.now + timedelta(days=30)).isoformat(),
            "qualification": {"categories": ["grocery"], "min_spend_cents": 1_000},
            "reward": {"kind": "campaign_points", "amount": 500},
            "needs_activation": True,
            "limit_per_person": 1,
            "segment_id": segment_id,
        }
        body.update(changes)
        return body

    async def live_offer(self, segment_id: str | None = None, /, **changes: Any) -> str:
        segment_id = segment_id or await self.segment()
        made = await self.client.post("/v1/offers", json=self.offer_body(segment_id, **changes), headers=self.issuer)
        assert made.status == 201, await made.text()
        offer_id = str((await made.json())["offer_id"])
        published = await self.client.post(f"/v1/offers/{offer_id}/publish", headers=self.issuer)
        assert published.status == 200, await published.text()
        return offer_id

    async def my_offers(
        self, person_id: str, household_id: str = "hh-1", role: str = "main", lang: str = "fi"
    ) -> list[dict[str, Any]]:
        answer = await self.client.get(
            "/v1/me/offers", headers=self.customer(person_id, household_id, role, **{"Accept-Language": lang})
        )
        assert answer.status == 200, await answer.text()
        return list((await answer.json())["items"])

    async def shown(self, person_id: str) -> list[str]:
        """The wallet's ``shown`` entries, checked to be what its offers rank to."""
        doc = await self.ctx.db.wallets.find_one({"_id": person_id})
        assert doc is not None
        assert doc["shown"] == mappers.shown_doc(mappers.wallet_from(doc, person_id))
        return list(doc["shown"])

    async def count(self, collection: str, query: dict[str, Any] | None = None) -> int:
        return await self.ctx.db[collection].count_documents(query or {})


def _event(event_type: str, data: Any) -> CloudEvent[Any]:
    return CloudEvent[Any](
        id=f"test-{event_type}-{id(data)}", source="/test", type=event_type, time=datetime.now(UTC), data=data
    )


@pytest.fixture
async def harness(aiohttp_client: Any, settings_for: Any, tokens: TestTokens) -> Harness:
    clock = Clock()
    # One process: its own catalogue changes apply at once; no time-based refresh needed.
    settings = settings_for(BenefitsSettings, purchase_batch_max=1, catalogue_refresh_s=30)
    client = await aiohttp_client(create_app(settings, clock))
    return Harness(client, context_of(client.app, BenefitsContext), settings, tokens, clock)
