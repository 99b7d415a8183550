"""All six services of one test on the real stack, driven as customers, tills, chains,
stores and the bank drive them: over HTTP and the bus only.

Identity is the key source: every other service verifies tokens through identity's
JWKS, customers log in at identity, and systems get their tokens with OAuth client
credentials from identity. The notifications service sends to a real SMTP server
(the sink), so a journey reads the mail that really arrived.
"""

import asyncio
import re
import unicodedata
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

from plussa_benefits.app import create_app as benefits_app
from plussa_benefits.settings import BenefitsSettings
from plussa_cards.app import create_app as cards_app
from plussa_cards.settings import CardsSettings
from plussa_identity.app import create_app as identity_app
from plussa_identity.context import IdentityContext
from plussa_identity.settings import IdentitySettings
from plussa_identity.use_cases.service_clients import create_client
from plussa_notifications.app import create_app as notifications_app
from plussa_notifications.settings import NotificationsSettings
from plussa_notifications.testing.smtp_sink import SmtpSink
from plussa_points.app import create_app as points_app
from plussa_points.context import PointsContext
from plussa_points.keys import POINTS
from plussa_points.settings import PointsSettings
from plussa_points.use_cases.month_end import close_all
from plussa_receipts.app import create_app as receipts_app
from plussa_receipts.settings import ReceiptsSettings
from plussa_shared.keys import context_of
from plussa_shared.settings import ServiceSettings
from plussa_shared.testing.bus import BusProbe, bus_probe, envelope, publish

PASSWORD = "kuulas syysaamu järven rannalla 9"
FAST_HASHING = {"argon2_time_cost": 1, "argon2_memory_cost_kib": 64, "argon2_parallelism": 1}
PORTAL = "https://oma.plussa.test"
STORE = {"store_id": "k-citymarket-kamppi", "store_name": "K-Citymarket Kamppi", "chain": "k-citymarket"}
SCOUTS = {"causes": [{"cause_id": "kamppi-scouts", "name": {"fi": "Partio", "sv": "Scouter", "en": "Scouts"}}]}
"""The cause the journeys' store supports."""
SERVICES = ("identity", "cards", "points", "benefits", "notifications", "receipts")
GROCERY_SHOPPERS = {"feature": "spend_cents", "months": 3, "category": "grocery", "op": ">=", "value": 10_000}


async def eventually(check: Callable[[], Awaitable[Any]], what: str, timeout: float = 20.0) -> Any:
    """Poll ``check`` until it gives something truthy; fail naming ``what`` after ``timeout``."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not (value := await check()):
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)
    return value


async def body(response: Any, status: int = 200) -> Any:
    """The JSON answer, after checking its status (the answer's text is the failure message)."""
    what = f"{response.method} {response.url.path}: {response.status} {await response.text()}"
    assert response.status == status, what
    return await response.json()


@dataclass
class MovableClock:
    """The points service's time: the real time until a journey moves it (month end, payday)."""

    fixed: datetime | None = None

    def __call__(self) -> datetime:
        return self.fixed or datetime.now(UTC)


@dataclass
class Customer:
    """A person with a card, a verified login and their access token."""

    person_id: str
    household_id: str
    card: dict[str, Any]
    email: str
    first_name: str
    last_name: str
    date_of_birth: str
    headers: dict[str, str] = field(default_factory=dict)


def line(name: str, category: str, cents: int, warranty_months: int | None = None) -> dict[str, Any]:
    """One line of a store's purchase (line ids are given by ``purchase``)."""
    return {
        "product_id": re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-"),
        "name": name,
        "category": category,
        "quantity": 1,
        "unit_price_cents": cents,
        "amount_cents": cents,
        "warranty_months": warranty_months,
    }


def purchase(card_number: str, *lines: dict[str, Any], network_token: str | None = None) -> dict[str, Any]:
    """A store's completed purchase, now, paid in cash or with a payment card's network token."""
    numbered = [{"line_id": str(n), **item} for n, item in enumerate(lines, start=1)]
    return {
        "purchase_id": uuid.uuid4().hex,
        "card_number": card_number,
        **STORE,
        "occurred_at": datetime.now(UTC).isoformat(),
        "payment": {"method": "payment_card" if network_token else "cash", "network_token": network_token},
        "lines": numbered,
        "total_cents": sum(item["amount_cents"] for item in numbered),
    }


def address(first_name: str, last_name: str) -> str:
    """A unique e-mail address for a person, in ASCII (Mäkinen -> makinen)."""
    local = unicodedata.normalize("NFKD", f"{first_name}.{last_name}").encode("ascii", "ignore").decode().lower()
    return f"{local}.{uuid.uuid4().hex[:6]}@example.fi"


def link_in(mail: EmailMessage, pattern: str) -> str:
    """The first link in the mail's plain text that matches ``pattern``."""
    text = mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    found = re.search(pattern, text)
    assert found is not None, text
    return found.group(0)


class Stack:
    """The six apps of one test, the SMTP sink, a probe on the bus and the systems' credentials."""

    def __init__(self, clients: dict[str, Any], settings: dict[str, ServiceSettings], sink: SmtpSink) -> None:
        self.clients = clients
        self.settings = settings
        self.sink = sink
        self.identity, self.cards, self.points = clients["identity"], clients["cards"], clients["points"]
        self.benefits, self.notifications, self.receipts = (
            clients["benefits"],
            clients["notifications"],
            clients["receipts"],
        )
        self.bus: BusProbe = BusProbe()
        self.points_clock = MovableClock()
        self._operator: dict[str, str] | None = None

    @property
    def amqp(self) -> tuple[str, str]:
        """The broker and the test's exchange (as a store system publishes to it)."""
        identity = self.settings["identity"]
        return identity.amqp_url.get_secret_value(), identity.amqp_exchange

    @property
    def points_context(self) -> PointsContext:
        """Points' context, for month end (a scheduled job in production)."""
        ctx: PointsContext = self.points.app[POINTS]
        return ctx

    # -- time ------------------------------------------------------------------------

    @staticmethod
    def this_month() -> str:
        """The programme's current month (Helsinki time), YYYY-MM."""
        return datetime.now(ZoneInfo("Europe/Helsinki")).strftime("%Y-%m")

    @staticmethod
    def _day_of_next_month(day: int) -> datetime:
        first = (datetime.now(ZoneInfo("Europe/Helsinki")).replace(day=28) + timedelta(days=4)).replace(day=1)
        return datetime(first.year, first.month, day, 10, tzinfo=UTC)

    async def month_end(self) -> str:
        """Close this month as the scheduled job does (``plussa_points.commands.month_end``),
        on the 2nd of the next month; the month closed."""
        month = self.this_month()
        self.points_clock.fixed = self._day_of_next_month(2)
        report = await close_all(self.points_context, month)
        assert report.households_closed >= 1, report
        return month

    def payday(self) -> None:
        """Move points' time past the payout day (the 4th), when the month's money can be used."""
        self.points_clock.fixed = self._day_of_next_month(5)

    # -- systems ---------------------------------------------------------------------

    async def system(self, client_id: str, *scopes: str) -> dict[str, str]:
        """A till's, store's, chain's or bank's bearer header: an operator creates its client at
        identity over HTTP, and the system takes a token with client credentials."""
        if self._operator is None:
            # Bootstrapping the first operator is a command-line job (plussa_identity.commands.clients).
            ctx = context_of(self.identity.app, IdentityContext)
            created = await create_client(ctx, f"operator-{uuid.uuid4().hex[:8]}", ["ops"], "operator")
            self._operator = await self._token(created.client_id, created.client_secret)
        made = await body(
            await self.identity.post(
                "/v1/clients", json={"client_id": client_id, "scopes": list(scopes)}, headers=self._operator
            ),
            201,
        )
        return await self._token(made["client_id"], made["client_secret"])

    async def _token(self, client_id: str, secret: str) -> dict[str, str]:
        answer = await body(
            await self.identity.post(
                "/v1/oauth/token",
                json={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret},
            )
        )
        return {"Authorization": f"Bearer {answer['access_token']}"}

    async def chain_offer(
        self,
        chain: dict[str, str],
        product_id: str,
        points: int,
        *,
        rule: dict[str, Any] = GROCERY_SHOPPERS,
        needs_activation: bool = True,
    ) -> str:
        """A chain targets campaign points for ``product_id`` at the people of ``rule``
        (grocery shoppers: 100 EUR in three months) and publishes the offer; its id."""
        segment = await body(
            await self.benefits.post("/v1/segments", json={"name": "Offer's segment", "rule": rule}, headers=chain),
            201,
        )
        now = datetime.now(UTC)
        made = await body(
            await self.benefits.post(
                "/v1/offers",
                json={
                    "title": {"fi": "Kahvista pisteitä", "sv": "Poäng för kaffe", "en": "Points for coffee"},
                    "description": {"fi": "Osta kahvia", "sv": "Köp kaffe", "en": "Buy coffee"},
                    "valid_from": (now - timedelta(hours=1)).isoformat(),
                    "valid_until": (now + timedelta(days=30)).isoformat(),
                    "qualification": {"product_ids": [product_id], "min_spend_cents": 500},
                    "reward": {"kind": "campaign_points", "amount": points},
                    "needs_activation": needs_activation,
                    "limit_per_person": 1,
                    "segment_id": segment["segment_id"],
                },
                headers=chain,
            ),
            201,
        )
        await body(await self.benefits.post(f"/v1/offers/{made['offer_id']}/publish", headers=chain))
        return str(made["offer_id"])

    async def offers_of(self, person: "Customer") -> list[str]:
        """The ids of the offers ``person`` sees."""
        mine = await body(await self.benefits.get("/v1/me/offers", headers=person.headers))
        return [offer["offer_id"] for offer in mine["items"]]

    async def till_spends(self, till: dict[str, str], card: dict[str, Any], cents: int) -> Any:
        """A till asks to pay ``cents`` of a purchase with the Plussa money behind ``card``."""
        return await self.points.post(
            "/v1/till/spends",
            json={"till_transaction_id": uuid.uuid4().hex, "card_number": card["card_number"], "amount_cents": cents},
            headers=till,
        )

    async def joins_the_scouts(self, person: "Customer", store: dict[str, str]) -> None:
        """The store (its credential ``store``) runs a sponsorship for the scouts and
        ``person`` joins it, once benefits has heard of their membership."""
        store_id = STORE["store_id"]
        await body(await self.benefits.put(f"/v1/stores/{store_id}/sponsorship", json=SCOUTS, headers=store))

        async def joined() -> bool:
            answer = await self.benefits.put(
                f"/v1/me/sponsorships/{store_id}", json={"cause_id": "kamppi-scouts"}, headers=person.headers
            )
            return bool(answer.status == 200)

        await eventually(joined, "joining the scouts' cause")

    async def store_publishes(self, event_type: str, data: dict[str, Any]) -> None:
        """A store system puts a purchase or a return on the bus."""
        await publish(*self.amqp, envelope(f"fi.plussa.stores.{event_type}", data, source="/stores/k-citymarket"))

    # -- customers -------------------------------------------------------------------

    async def apply(self, first_name: str, last_name: str, date_of_birth: str, language: str = "fi") -> Customer:
        """A person applies for a card at cards (no login yet)."""
        email = address(first_name, last_name)
        applied = await body(
            await self.cards.post(
                "/v1/applications",
                json={
                    "first_name": first_name,
                    "last_name": last_name,
                    "date_of_birth": date_of_birth,
                    "email": email,
                    "language": language,
                    "address": {"street": "Fredrikinkatu 12", "postal_code": "00120", "city": "Helsinki"},
                },
            ),
            201,
        )
        return Customer(
            applied["person_id"], applied["household_id"], applied["card"], email, first_name, last_name, date_of_birth
        )

    async def register(self, person: Customer, language: str = "fi") -> None:
        """Register at identity with the card's number (retried until identity has heard of the card)."""
        registration = {
            "card_number": person.card["card_number"],
            "date_of_birth": person.date_of_birth,
            "email": person.email,
            "password": PASSWORD,
            "language": language,
        }

        async def accepted() -> Any:
            answer = await self.identity.post("/v1/registrations", json=registration)
            return answer if answer.status != 422 else None

        await body(await eventually(accepted, "identity to know the card"), 201)

    async def verify_from_mail(self, person: Customer) -> EmailMessage:
        """Follow the verification link of the mail that arrived for ``person``."""
        mail = (await self.wait_for_mail(person.email, 1))[0]
        link = link_in(mail, re.escape(PORTAL) + r"/verify-email\?token=\S+")
        token = parse_qs(urlsplit(link).query)["token"][0]
        await body(await self.identity.post("/v1/email-verifications", json={"token": token}))
        return mail

    async def login(self, person: Customer) -> Customer:
        """Log in at identity; the person's requests carry identity's access token from now on."""
        tokens = await body(
            await self.identity.post("/v1/sessions", json={"email": person.email, "password": PASSWORD}), 201
        )
        person.headers = {"Authorization": f"Bearer {tokens['access_token']}"}
        return person

    async def signed_up(self, person: Customer) -> Customer:
        """Register, verify the address from the mail and log in."""
        await self.register(person)
        await self.verify_from_mail(person)
        return await self.login(person)

    async def customer(self, first_name: str, last_name: str, date_of_birth: str) -> Customer:
        """A new customer with a card and a verified, signed-in login."""
        return await self.signed_up(await self.apply(first_name, last_name, date_of_birth))

    async def order_parallel_card(self, main: Customer, first_name: str, date_of_birth: str) -> Customer:
        """The main holder orders a parallel card; the new holder has no login yet."""
        ordered = await body(
            await self.cards.post(
                "/v1/me/household/parallel-holders",
                json={"first_name": first_name, "last_name": main.last_name, "date_of_birth": date_of_birth},
                headers=main.headers,
            ),
            201,
        )
        email = address(first_name, main.last_name)
        return Customer(
            ordered["person_id"],
            ordered["household_id"],
            ordered["card"],
            email,
            first_name,
            main.last_name,
            date_of_birth,
        )

    # -- mail ------------------------------------------------------------------------

    def mails_to(self, email: str) -> list[EmailMessage]:
        """Every mail that arrived for ``email``, oldest first (the first is the verification mail)."""
        return [mail for mail in self.sink.messages() if mail["To"] == email]

    async def wait_for_mail(self, email: str, count: int, timeout: float = 20.0) -> list[EmailMessage]:
        """Wait until ``count`` mails arrived for ``email``."""

        async def arrived() -> list[EmailMessage]:
            mails = self.mails_to(email)
            return mails if len(mails) >= count else []

        result: list[EmailMessage] = await eventually(arrived, f"{count} mails to {email}", timeout)
        return result


@asynccontextmanager
async def running_stack(aiohttp_client: Any, settings_for: Any, tmp_path: Path, **points: Any) -> AsyncIterator[Stack]:
    """Start the sink and the six apps on one test's settings; identity signs every token."""
    sink = SmtpSink(tmp_path / "mail").start()
    try:
        identity_settings = settings_for(IdentitySettings, **FAST_HASHING)
        amqp_url = identity_settings.amqp_url.get_secret_value()
        async with bus_probe(amqp_url, identity_settings.amqp_exchange, "#") as probe:
            identity = await aiohttp_client(identity_app(identity_settings))
            jwks = {"jwks_url": str(identity.make_url("/.well-known/jwks.json"))}
            notifications: NotificationsSettings = settings_for(
                NotificationsSettings,
                **jwks,
                smtp_port=sink.port,
                portal_base_url=PORTAL,
                unsubscribe_base_url="https://api.plussa.test",
                sender_poll_interval_s=0.1,
            )
            cards: CardsSettings = settings_for(CardsSettings, **jwks)
            points_settings: PointsSettings = settings_for(PointsSettings, **jwks, **points)
            benefits: BenefitsSettings = settings_for(BenefitsSettings, **jwks)
            receipts: ReceiptsSettings = settings_for(ReceiptsSettings, **jwks)
            settings: dict[str, ServiceSettings] = {
                "identity": identity_settings,
                "cards": cards,
                "points": points_settings,
                "benefits": benefits,
                "notifications": notifications,
                "receipts": receipts,
            }
            clock = MovableClock()
            apps = {
                "cards": cards_app(cards),
                "points": points_app(points_settings, clock=clock),
                "benefits": benefits_app(benefits),
                "notifications": notifications_app(notifications),
                "receipts": receipts_app(receipts),
            }
            clients = {"identity": identity}
            for name, app in apps.items():
                clients[name] = await aiohttp_client(app)
            stack = Stack(clients, settings, sink)
            stack.bus = probe
            stack.points_clock = clock
            yield stack
    finally:
        sink.stop()
