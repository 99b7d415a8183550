"""Fixtures of the points service's integration tests: the real service on the real
MongoDB and RabbitMQ, a clock the test moves, and helpers to announce cards and
purchases as the cards service and store systems would."""

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import pytest

from plussa_points.app import create_app
from plussa_points.context import PointsContext, UnitOfWork
from plussa_points.events.consumed import (
    CardChanged,
    MemberAdded,
    PaymentCardLinked,
)
from plussa_points.keys import POINTS
from plussa_points.settings import PointsSettings
from plussa_points.use_cases import cards
from plussa_shared.mongo import Database, Document
from plussa_shared.testing.bus import envelope, publish
from plussa_shared.testing.tokens import TestTokens


@dataclass
class Clock:
    """The time the service sees; tests move it."""

    now: datetime = datetime(2026, 3, 15, 10, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Harness:
    """One running points service and ways to feed it."""

    client: Any
    pts: PointsContext
    settings: PointsSettings
    tokens: TestTokens
    clock: Clock
    numbers: dict[str, str] = field(default_factory=dict)

    @property
    def amqp(self) -> tuple[str, str]:
        return self.settings.amqp_url.get_secret_value(), self.settings.amqp_exchange

    async def publish(
        self, event_type: str, data: dict[str, Any], *, subject: str | None = None, event_id: str | None = None
    ) -> str:
        """Publish an event as another system would; return its id."""
        event = envelope(event_type, data, subject=subject, event_id=event_id)
        await publish(*self.amqp, event)
        return str(event["id"])

    @property
    def db(self) -> Database:
        """The service's database, to set the scene and check what was written."""
        return self.pts.db

    async def account(self, household_id: str) -> Document | None:
        """The household's account projection as stored."""
        return await self.db.accounts.find_one({"_id": household_id})

    async def card(
        self,
        card_number: str,
        household_id: str | None,
        person_id: str | None,
        *,
        kind: str = "main",
        state: str = "active",
        version: int = 1,
        can_earn: bool = True,
        can_spend: bool | None = None,
    ) -> None:
        spend = (kind != "temporary" and state == "active") if can_spend is None else can_spend
        data = CardChanged.model_validate(
            {"card": card_snapshot(card_number, household_id, person_id, kind, state, version, can_earn, spend)}
        )
        await cards.apply_card(self.pts, data, self.clock())

    async def member(self, household_id: str, person_id: str, role: str = "main", can_use_money: bool = False) -> None:
        data = MemberAdded(household_id=household_id, person_id=person_id, role=role, can_use_money=can_use_money)  # type: ignore[arg-type]
        await cards.member_added(self.pts, data, self.clock())

    async def mastercard(self, token: str, household_id: str, person_id: str) -> None:
        data = PaymentCardLinked(
            payment_card_id=f"pc-{token}", household_id=household_id, person_id=person_id, network_token=token
        )
        await cards.payment_card_linked(self.pts, data)

    async def household(self, household_id: str, main: str, card_number: str) -> None:
        """A household with its main holder and main card."""
        await self.member(household_id, main, "main")
        await self.card(card_number, household_id, main)

    async def lot(
        self,
        household_id: str,
        lot_id: str,
        cents: int,
        paid_at: datetime,
        expires_at: datetime,
        saved_until: datetime | None = None,
    ) -> None:
        """Plussa money paid to a household (as month end would pay it)."""

        async def work(uow: UnitOfWork) -> None:
            await self.db.lots.insert_one(
                {
                    "_id": lot_id,
                    "household_id": household_id,
                    "month": "2026-01",
                    "cents": cents,
                    "remaining_cents": cents,
                    "paid_at": paid_at,
                    "expires_at": expires_at,
                    "saved_until": saved_until,
                },
                session=uow.session,
            )
            await self.db.accounts.update_one(
                {"_id": household_id}, {"$inc": {"money_cents": cents}}, upsert=True, session=uow.session
            )
            await self.pts.store.ledger.balance.refresh([household_id], uow.session)

        await self.pts.run(work)

    async def remaining(self, household_id: str) -> dict[str, int]:
        """What is left in each lot of the household."""
        docs = await self.db.lots.find({"household_id": household_id}).to_list()
        return {d["_id"]: d["remaining_cents"] for d in docs}

    def customer(self, person_id: str, household_id: str, role: str = "main") -> dict[str, str]:
        return self.tokens.bearer(self.tokens.customer(person_id, household_id, role))

    def service(self, *scopes: str) -> dict[str, str]:
        return self.tokens.bearer(self.tokens.service("store-1", *scopes))

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


def card_snapshot(
    card_number: str,
    household_id: str | None,
    person_id: str | None,
    kind: str = "main",
    state: str = "active",
    version: int = 1,
    can_earn: bool = True,
    can_spend: bool = True,
) -> dict[str, Any]:
    """A CardSnapshot as the contract describes it."""
    return {
        "card_id": f"card-{card_number}",
        "card_number": card_number,
        "kind": kind,
        "state": state,
        "household_id": household_id,
        "person_id": person_id,
        "can_earn": can_earn,
        "can_spend": can_spend,
        "valid_until": None,
        "replaces_card_id": None,
        "version": version,
    }


def purchase_data(
    card_number: str,
    lines: list[tuple[str, int]],
    *,
    purchase_id: str | None = None,
    at: datetime = datetime(2026, 3, 10, 12, 0, tzinfo=UTC),
    token: str | None = None,
) -> dict[str, Any]:
    """A purchase.completed payload: lines as (category, amount_cents), one unit each."""
    items = [
        {
            "line_id": str(i + 1),
            "product_id": f"prod-{i + 1}",
            "name": f"{category} item {i + 1}",
            "category": category,
            "quantity": 1,
            "unit_price_cents": cents,
            "amount_cents": cents,
            "warranty_months": None,
        }
        for i, (category, cents) in enumerate(lines)
    ]
    return {
        "purchase_id": purchase_id or uuid.uuid4().hex,
        "card_number": card_number,
        "store_id": "store-1",
        "store_name": "K-Citymarket Test",
        "chain": "k-citymarket",
        "occurred_at": at.isoformat(),
        "payment": {"method": "payment_card" if token else "cash", "network_token": token},
        "lines": items,
        "total_cents": sum(cents for _, cents in lines),
    }


Harness.card_snapshot = staticmethod(card_snapshot)  # type: ignore[attr-defined]
Harness.purchase_data = staticmethod(purchase_data)  # type: ignore[attr-defined]

MASTERCARD_WINDOW = {"mastercard_window_start": date(2026, 1, 1), "mastercard_window_end": date(2026, 12, 31)}


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def points(
    aiohttp_client: Any, settings_for: Any, tokens: TestTokens, clock: Clock
) -> Callable[..., Awaitable[Harness]]:
    """``await points(**setting_overrides)`` -> a running points service."""

    async def start(**overrides: Any) -> Harness:
        settings = settings_for(
            PointsSettings, **{**MASTERCARD_WINDOW, "consumer_retry_delays_ms": [50, 100], **overrides}
        )
        app = create_app(settings, clock=clock)
        client = await aiohttp_client(app)
        return Harness(client=client, pts=app[POINTS], settings=settings, tokens=tokens, clock=clock)

    return start
