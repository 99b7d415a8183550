"""Demo data for the dev stack, made through the services' public interfaces, as a
customer, a till and the programme's operators would make it:

1. Aino applies for a Plussa card (cards), registers in Oma Plussa with its number
   (identity learns cards from events: registration is retried until it has), and
   verifies her e-mail with the token from the verification event (what the e-mail
   link would carry);
2. logged in, she orders a parallel card for Eero and lets him use the Plussa money;
   Eero registers with his card;
3. a demo till gets service credentials from identity's command line
   (``python -m plussa_identity.commands.clients create``);
4. the till sends a few months of purchases by both to points (``POST /v1/purchases``);
   a chain publishes offers for every member and a store runs a sponsorship programme
   Aino supports;
5. the stores' systems publish the same purchases on the bus
   (``fi.plussa.stores.purchase.completed``), as they publish every purchase: benefits
   learns from them what each holder buys (so the offers are ranked by their value to
   them, and a purchase after an offer's start redeems it) and receipts keeps the
   warranty receipts; points has each purchase already and counts it once;
6. the months that have ended are closed (``python -m plussa_points.commands.month_end``), so
   there are statements and Plussa money.

Each step is skipped when what it makes exists, and once everything is made the
whole seeding is skipped: run it at every start. ``python -m scripts.seed_demo``
seeds a running ``make run`` stack.
"""

import asyncio
import json
import subprocess
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import aio_pika
import aiohttp

T = TypeVar("T")

HELSINKI = ZoneInfo("Europe/Helsinki")
DEMO_PASSWORD = "Mustikka-Piirakka-2024"  # noqa: S105 - a published demo password for a local stack
TILL_CLIENT_ID = "demo-till"
TILL_SCOPES = ("points:ingest", "points:spend", "cards:lookup")
PAST_MONTHS = 3
REQUEST_TIMEOUT_S = 20.0
STORE_PURCHASE = "fi.plussa.stores.purchase.completed"


class SeedError(RuntimeError):
    """Seeding stopped; the message says at which step."""


@dataclass(frozen=True)
class DemoPerson:
    """A member of the demo household."""

    first_name: str
    last_name: str
    date_of_birth: date
    email: str
    role: str

    @property
    def name(self) -> str:
        """First and last name."""
        return f"{self.first_name} {self.last_name}"


MAIN = DemoPerson("Aino", "Virtanen", date(1984, 5, 12), "aino.virtanen@example.com", "main")
PARALLEL = DemoPerson("Eero", "Virtanen", date(1986, 9, 3), "eero.virtanen@example.com", "parallel")


@dataclass(frozen=True)
class SeedTargets:
    """Where the services answer, the environments their command lines run with, the
    broker the services publish on, and where the demo's credentials are kept."""

    urls: dict[str, str]
    service_envs: dict[str, dict[str, str]]
    amqp_url: str
    exchange: str
    """Where identity's verification events arrive: notifications' private exchange."""
    store_exchange: str
    """Where store systems publish their purchases: the services' public exchange."""
    state_file: Path


@dataclass
class SeedState:
    """What seeding made that cannot be read back (the till's secret is shown once)."""

    till_client_id: str | None = None
    till_client_secret: str | None = None
    complete: bool = False
    card_numbers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> "SeedState":
        """The saved state, or an empty one."""
        try:
            raw = json.loads(path.read_text())
        except (OSError, ValueError):
            return cls()
        return cls(
            till_client_id=raw.get("till_client_id"),
            till_client_secret=raw.get("till_client_secret"),
            complete=bool(raw.get("complete")),
            card_numbers=dict(raw.get("card_numbers", {})),
        )

    def save(self, path: Path) -> None:
        """Write the state, readable by its owner only (it holds a client secret)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.__dict__, indent=2))
        path.chmod(0o600)


# -- HTTP ------------------------------------------------------------------------------


class Api:
    """Calls the services and turns unexpected answers into ``SeedError``s that show the problem."""

    def __init__(self, http: aiohttp.ClientSession, urls: dict[str, str]) -> None:
        self._http = http
        self._urls = urls

    async def call(
        self,
        method: str,
        service: str,
        path: str,
        *,
        json_body: Any = None,
        form: dict[str, str] | None = None,
        token: str | None = None,
        ok: tuple[int, ...] = (200, 201),
    ) -> tuple[int, Any]:
        """``(status, body)``; raises unless the status is in ``ok``."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        url = f"{self._urls[service]}{path}"
        async with self._http.request(method, url, json=json_body, data=form, headers=headers) as response:
            text = await response.text()
            body: Any = json.loads(text) if text and "json" in (response.content_type or "") else text
            if response.status not in ok:
                raise SeedError(f"{method} {service} {path} answered {response.status}: {_problem(body)}")
            return response.status, body


def _problem(body: Any) -> str:
    if isinstance(body, dict):
        parts = [str(body.get(key)) for key in ("title", "detail") if body.get(key)]
        return " - ".join(parts) or json.dumps(body)[:300]
    return str(body)[:300]


async def _retry(
    attempt: Callable[[], Awaitable[T]], what: str, *, timeout_s: float = 30.0, first_delay_s: float = 0.5
) -> T:
    """Run ``attempt`` until it succeeds, with growing pauses (events take a moment to arrive)."""
    deadline = time.monotonic() + timeout_s
    delay = first_delay_s
    while True:
        try:
            return await attempt()
        except SeedError as exc:
            if time.monotonic() + delay > deadline:
                raise SeedError(f"{what}: {exc}") from exc
        await asyncio.sleep(delay)
        delay = min(delay * 2, 4.0)


# -- the bus: the verification token a real customer would get by e-mail ------------


class VerificationMail:
    """Watches identity's ``email_verification.requested`` events, as the mailer would."""

    def __init__(self, amqp_url: str, exchange: str) -> None:
        self._amqp_url = amqp_url
        self._exchange = exchange
        self._tokens: dict[str, str] = {}
        self._arrived = asyncio.Event()
        self._connection: Any = None

    async def __aenter__(self) -> "VerificationMail":
        self._connection = await aio_pika.connect(self._amqp_url)
        channel = await self._connection.channel()
        exchange = await channel.get_exchange(self._exchange, ensure=True)
        queue = await channel.declare_queue(exclusive=True, auto_delete=True)
        await queue.bind(exchange, routing_key="identity.email_verification.requested")
        await queue.consume(self._on_message, no_ack=True)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._connection.close()

    async def _on_message(self, message: Any) -> None:
        try:
            data = json.loads(message.body)["data"]
            self._tokens[str(data["email"]).lower()] = str(data["token"])
        except (ValueError, KeyError, TypeError):
            return
        self._arrived.set()

    async def token_for(self, email: str, timeout_s: float = 20.0) -> str:
        """The latest verification token sent to ``email``."""
        deadline = time.monotonic() + timeout_s
        while email.lower() not in self._tokens:
            self._arrived.clear()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise SeedError(f"no e-mail verification event for {email} arrived in {timeout_s:.0f}s")
            try:
                await asyncio.wait_for(self._arrived.wait(), remaining)
            except TimeoutError:
                continue
        return self._tokens.pop(email.lower())


# -- the steps -------------------------------------------------------------------------


async def login(api: Api, person: DemoPerson) -> str | None:
    """An access token for ``person``, or None when they cannot log in (yet)."""
    status, body = await api.call(
        "POST",
        "identity",
        "/v1/sessions",
        json_body={"email": person.email, "password": DEMO_PASSWORD},
        ok=(200, 201, 401, 403),
    )
    return str(body["access_token"]) if status in (200, 201) else None


async def apply_for_card(api: Api, person: DemoPerson) -> str:
    """Join Plussa as a new household's main holder; the new card's number."""
    _, body = await api.call(
        "POST",
        "cards",
        "/v1/applications",
        json_body={
            "first_name": person.first_name,
            "last_name": person.last_name,
            "date_of_birth": person.date_of_birth.isoformat(),
            "email": person.email,
            "language": "fi",
            "address": {"street": "Mannerheimintie 1 A 3", "postal_code": "00100", "city": "Helsinki"},
        },
        ok=(201,),
    )
    return str(body["card"]["card_number"])


async def register(api: Api, mail: VerificationMail, person: DemoPerson, card_number: str) -> None:
    """Register ``person`` in Oma Plussa with their card and verify their e-mail."""

    async def attempt() -> None:
        await api.call(
            "POST",
            "identity",
            "/v1/registrations",
            json_body={
                "card_number": card_number,
                "date_of_birth": person.date_of_birth.isoformat(),
                "email": person.email,
                "password": DEMO_PASSWORD,
                "language": "fi",
            },
            ok=(201,),
        )

    # Identity learns the card from the cards service's events, a moment after it is made.
    await _retry(attempt, f"registering {person.email}", first_delay_s=1.0)
    token = await mail.token_for(person.email)
    await api.call("POST", "identity", "/v1/email-verifications", json_body={"token": token})


async def ensure_registered(api: Api, mail: VerificationMail, person: DemoPerson, card_number: str) -> str:
    """Register ``person`` unless they can log in already; their access token."""
    token = await login(api, person)
    if token is None:
        await register(api, mail, person, card_number)
        token = await login(api, person)
    if token is None:
        raise SeedError(f"{person.email} is registered but cannot log in with the demo password")
    return token


async def household(api: Api, token: str) -> dict[str, Any]:
    """The caller's household as cards shows it."""
    _, body = await api.call("GET", "cards", "/v1/me/household", token=token)
    return dict(body)


def member_named(view: dict[str, Any], person: DemoPerson) -> dict[str, Any] | None:
    """The member of ``view`` who is ``person``."""
    for member in view["members"]:
        if member["first_name"] == person.first_name and member["role"] == person.role:
            return dict(member)
    return None


def live_card_number(member: dict[str, Any]) -> str:
    """The number of the member's active card."""
    for card in member["cards"]:
        if card["state"] == "active":
            return str(card["card_number"])
    raise SeedError(f"{member['first_name']} has no active card")


async def ensure_parallel_holder(api: Api, main_token: str) -> str:
    """Order Eero's parallel card and let him use the money, unless done; his card number."""
    member = member_named(await household(api, main_token), PARALLEL)
    if member is None:
        _, added = await api.call(
            "POST",
            "cards",
            "/v1/me/household/parallel-holders",
            json_body={
                "first_name": PARALLEL.first_name,
                "last_name": PARALLEL.last_name,
                "date_of_birth": PARALLEL.date_of_birth.isoformat(),
            },
            token=main_token,
            ok=(201,),
        )
        member = {"person_id": added["person_id"], "can_use_money": added["can_use_money"], "cards": [added["card"]]}
    if not member["can_use_money"]:
        await api.call(
            "PUT",
            "cards",
            f"/v1/me/household/parallel-holders/{member['person_id']}/money-access",
            json_body={"can_use_money": True},
            token=main_token,
        )
    return live_card_number(member)


def run_command(env: dict[str, str], *args: str) -> str:
    """Run one of a service's command lines (``python -m ...``); its standard output."""
    result = subprocess.run(
        [sys.executable, "-m", *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    if result.returncode != 0:
        raise SeedError(f"`python -m {' '.join(args)}` failed ({result.returncode}): {result.stderr.strip()[-500:]}")
    return result.stdout


def create_till_client(env: dict[str, str]) -> tuple[str, str]:
    """Make (or give a new secret to) the demo till's service client with identity's
    command line; its id and secret."""
    out = run_command(
        env,
        "plussa_identity.commands.clients",
        "create",
        "--client-id",
        TILL_CLIENT_ID,
        "--scopes",
        " ".join(TILL_SCOPES),
        "--replace",
    )
    secret = out.strip()
    if not secret or len(secret.split()) != 1:
        raise SeedError(f"identity's clients command printed no secret: {out[-300:]!r}")
    return TILL_CLIENT_ID, secret


async def till_token(api: Api, client_id: str, secret: str) -> str:
    """A service token for the demo till."""
    _, body = await api.call(
        "POST",
        "identity",
        "/v1/oauth/token",
        form={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret},
    )
    return str(body["access_token"])


# -- purchases ---------------------------------------------------------------------------

# (store id, store name, chain, lines: (name, category, quantity, unit price cents, warranty months))
Basket = tuple[str, str, str, tuple[tuple[str, str, int, int, int | None], ...]]
BASKETS: tuple[Basket, ...] = (
    (
        "k-citymarket-espoo-iso-omena",
        "K-Citymarket Espoo Iso Omena",
        "k-citymarket",
        (
            ("Maito 1 l", "grocery", 3, 129, None),
            ("Ruisleipä", "grocery", 2, 289, None),
            ("Kahvi 500 g", "grocery", 1, 649, None),
            ("Broilerin fileesuikale", "grocery", 2, 799, None),
            ("Omena", "grocery", 1, 349, None),
            ("Olut 6-pack", "alcohol", 1, 1299, None),
            ("Pullopantti", "deposit", 6, 15, None),
        ),
    ),
    (
        "k-supermarket-helsinki-kamppi",
        "K-Supermarket Kamppi",
        "k-supermarket",
        (
            ("Lohifilee", "grocery", 1, 1290, None),
            ("Peruna 2 kg", "grocery", 1, 249, None),
            ("Jogurtti", "grocery", 4, 109, None),
        ),
    ),
    (
        "k-market-helsinki-toolo",
        "K-Market Töölö",
        "k-market",
        (
            ("Banaani", "grocery", 1, 199, None),
            ("Karjalanpiirakka 10 kpl", "grocery", 1, 359, None),
        ),
    ),
    (
        "k-rauta-vantaa",
        "K-Rauta Vantaa",
        "k-rauta",
        (
            ("Akkuporakone 18 V", "hardware", 1, 8990, 24),
            ("Ruuvisarja", "hardware", 1, 1290, None),
        ),
    ),
)


def purchase_days(today: date) -> list[date]:
    """Shopping days from the start of ``PAST_MONTHS`` months ago until yesterday."""
    first = date(today.year, today.month, 1)
    for _ in range(PAST_MONTHS):
        first = (first - timedelta(days=1)).replace(day=1)
    days: list[date] = []
    day = first
    while day < today:
        if day.day in (3, 9, 16, 24):
            days.append(day)
        day += timedelta(days=1)
    return days


def purchases(card_number: str, who: str, today: date) -> list[dict[str, Any]]:
    """The demo purchases of one card; ids are stable, so sending them again changes nothing."""
    made: list[dict[str, Any]] = []
    for index, day in enumerate(purchase_days(today)):
        if who == "parallel" and index % 2:
            continue
        store_id, store_name, chain, lines = BASKETS[index % len(BASKETS)]
        at = datetime(day.year, day.month, day.day, 17, 30, tzinfo=HELSINKI).astimezone(UTC)
        body_lines = [
            {
                "line_id": str(n),
                "product_id": f"demo-{store_id}-{n}",
                "name": name,
                "category": category,
                "quantity": quantity,
                "unit_price_cents": price,
                "amount_cents": quantity * price,
                "warranty_months": warranty,
            }
            for n, (name, category, quantity, price, warranty) in enumerate(lines, start=1)
        ]
        made.append(
            {
                "purchase_id": f"demo-{who}-{day.isoformat()}",
                "card_number": card_number,
                "store_id": store_id,
                "store_name": store_name,
                "chain": chain,
                "occurred_at": at.isoformat(),
                "payment": {"method": "payment_card" if index % 3 else "cash", "network_token": None},
                "lines": body_lines,
                "total_cents": sum(line["amount_cents"] for line in body_lines),
            }
        )
    return made


async def send_purchases(api: Api, token: str, batch: list[dict[str, Any]]) -> int:
    """Send purchases as the till; how many were new."""
    new = 0
    for purchase in batch:

        async def attempt(purchase: dict[str, Any] = purchase) -> dict[str, Any]:
            _, body = await api.call("POST", "points", "/v1/purchases", json_body=purchase, token=token)
            return dict(body)

        # Points learns the card from the cards service's events, a moment after it is made.
        recorded = await _retry(attempt, f"sending purchase {purchase['purchase_id']}", first_delay_s=0.5)
        new += not recorded.get("duplicate", False)
    return new


async def publish_store_purchases(amqp_url: str, exchange: str, batch: list[dict[str, Any]]) -> None:
    """Publish purchases as the stores' systems do (docs/event-contract.md), with publisher
    confirms; each event's id comes from its purchase's, so one published again is a
    duplicate every consumer drops."""
    connection = await aio_pika.connect(amqp_url)
    try:
        channel = await connection.channel(publisher_confirms=True)
        target = await channel.get_exchange(exchange, ensure=True)
        for purchase in batch:
            event_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"plussa-demo:{purchase['purchase_id']}"))
            event = {
                "specversion": "1.0",
                "id": event_id,
                "source": f"/stores/{purchase['store_id']}",
                "type": STORE_PURCHASE,
                "time": datetime.now(UTC).isoformat(),
                "subject": None,
                "datacontenttype": "application/json",
                "data": purchase,
            }
            message = aio_pika.Message(
                json.dumps(event).encode(),
                message_id=event_id,
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                content_type="application/cloudevents+json",
            )
            await target.publish(message, routing_key=STORE_PURCHASE.removeprefix("fi.plussa."))
    finally:
        await connection.close()


def ended_months(today: date) -> list[str]:
    """``YYYY-MM`` of the demo months that have ended, oldest first."""
    months: list[str] = []
    first = date(today.year, today.month, 1)
    for _ in range(PAST_MONTHS):
        first = (first - timedelta(days=1)).replace(day=1)
        months.insert(0, f"{first.year:04d}-{first.month:02d}")
    return months


# -- benefits --------------------------------------------------------------------------

SPONSOR_STORE = "k-market-helsinki-toolo"


async def seed_benefits(api: Api, identity_env: dict[str, str], main_token: str) -> None:
    """A chain's offers for every member and a store's sponsorship
    programme the main holder supports, so the demo household sees offers and a cause
    at once. Made once: a chain that already has offers is left as it is."""

    async def service_token(client_id: str, scope: str) -> str:
        secret = run_command(
            identity_env,
            "plussa_identity.commands.clients",
            "create",
            "--client-id",
            client_id,
            "--scopes",
            scope,
            "--replace",
        ).strip()
        return await till_token(api, client_id, secret)

    chain = await service_token("k-citymarket", "benefits:offers")
    _, existing = await api.call("GET", "benefits", "/v1/offers", token=chain)
    if not existing["items"]:
        now = datetime.now(UTC)
        everyone = {"name": "Every member", "rule": {"everyone": True}}
        _, segment = await api.call("POST", "benefits", "/v1/segments", json_body=everyone, token=chain)
        offers = (
            (
                {
                    "fi": "Kahvista 500 lisäpistettä",
                    "sv": "500 extrapoäng för kaffe",
                    "en": "500 extra points for coffee",
                },
                "campaign_points",
                500,
                True,
            ),
            (
                {"fi": "Hedelmistä 10 % takaisin", "sv": "10 % tillbaka på frukt", "en": "10 % back on fruit"},
                "percent",
                1000,
                False,
            ),
        )
        for title, kind, amount, activation in offers:
            body = {
                "title": title,
                "description": {key: f"{value} (K-Citymarket)" for key, value in title.items()},
                "valid_from": (now - timedelta(days=1)).isoformat(),
                "valid_until": (now + timedelta(days=60)).isoformat(),
                "qualification": {"categories": ["grocery"], "min_spend_cents": 500},
                "reward": {"kind": kind, "amount": amount},
                "needs_activation": activation,
                "limit_per_person": 2,
                "segment_id": segment["segment_id"],
            }
            _, made = await api.call("POST", "benefits", "/v1/offers", json_body=body, token=chain)
            await api.call("POST", "benefits", f"/v1/offers/{made['offer_id']}/publish", token=chain)
    store = await service_token(SPONSOR_STORE, "benefits:sponsorship")
    causes = [
        {"cause_id": "toolo-scouts", "name": {"fi": "Töölön partio", "sv": "Tölö scouter", "en": "Töölö scouts"}},
        {"cause_id": "toolo-fc", "name": {"fi": "Töölön Vesa", "sv": "Tölö Vesa", "en": "Töölö Vesa football"}},
    ]
    await api.call(
        "PUT", "benefits", f"/v1/stores/{SPONSOR_STORE}/sponsorship", json_body={"causes": causes}, token=store
    )
    await api.call(
        "PUT",
        "benefits",
        f"/v1/me/sponsorships/{SPONSOR_STORE}",
        json_body={"cause_id": "toolo-scouts"},
        token=main_token,
    )


# -- the whole -------------------------------------------------------------------------


@dataclass
class Outcome:
    """What seeding made, for the report."""

    card_numbers: dict[str, str] = field(default_factory=dict)
    purchases_sent: int = 0
    missing: list[str] = field(default_factory=list)


async def _seed(targets: SeedTargets, state: SeedState) -> Outcome:
    outcome = Outcome()
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S)
    async with (
        aiohttp.ClientSession(timeout=timeout) as http,
        VerificationMail(targets.amqp_url, targets.exchange) as mail,
    ):
        api = Api(http, targets.urls)
        main_token = await login(api, MAIN)
        if main_token is None:
            card = await apply_for_card(api, MAIN)
            main_token = await ensure_registered(api, mail, MAIN, card)
        main_member = member_named(await household(api, main_token), MAIN)
        if main_member is None:
            raise SeedError("the demo main holder is not in their own household")
        outcome.card_numbers[MAIN.email] = live_card_number(main_member)
        outcome.card_numbers[PARALLEL.email] = await ensure_parallel_holder(api, main_token)
        await ensure_registered(api, mail, PARALLEL, outcome.card_numbers[PARALLEL.email])

        if state.till_client_secret is None:
            state.till_client_id, state.till_client_secret = create_till_client(targets.service_envs["identity"])
            state.save(targets.state_file)
        assert state.till_client_id is not None
        token = await till_token(api, state.till_client_id, state.till_client_secret)
        today = datetime.now(HELSINKI).date()
        sent: list[dict[str, Any]] = []
        for person in (MAIN, PARALLEL):
            batch = purchases(outcome.card_numbers[person.email], person.role, today)
            outcome.purchases_sent += await send_purchases(api, token, batch)
            sent.extend(batch)
        await seed_benefits(api, targets.service_envs["identity"], main_token)
        await publish_store_purchases(targets.amqp_url, targets.store_exchange, sent)
    for month in ended_months(today):
        run_command(targets.service_envs["points"], "plussa_points.commands.month_end", "--month", month)
    return outcome


def seed(targets: SeedTargets) -> str:
    """Create the demo household unless it exists; how to log in and call the APIs."""
    state = SeedState.load(targets.state_file)
    if not state.complete:
        outcome = asyncio.run(_seed(targets, state))
        state.complete = True
        state.card_numbers = outcome.card_numbers
        state.save(targets.state_file)
        headline = f"Demo data created: {outcome.purchases_sent} purchases over {PAST_MONTHS + 1} months."
    else:
        headline = "Demo data exists (kept from an earlier run)."
    return report(targets, state, headline)


def report(targets: SeedTargets, state: SeedState, headline: str) -> str:
    """How to log in as each demo person and as the demo till."""
    identity, cards, points = targets.urls["identity"], targets.urls["cards"], targets.urls["points"]
    lines = [headline, ""]
    for person in (MAIN, PARALLEL):
        role = "main holder" if person.role == "main" else "parallel holder, may use the money"
        card = state.card_numbers.get(person.email, "?")
        lines.append(f"  {person.name} ({role}): {person.email} / {DEMO_PASSWORD}   card {card}")
    lines += [
        f"  Demo till (service client, scopes {' '.join(TILL_SCOPES)}): {state.till_client_id} / "
        f"{state.till_client_secret}",
        "",
        "  Log in and call the APIs:",
        f"    TOKEN=$(curl -s -X POST {identity}/v1/sessions -H 'Content-Type: application/json' \\",
        f'      -d \'{{"email": "{MAIN.email}", "password": "{DEMO_PASSWORD}"}}\' | '
        "python3 -c 'import json,sys; print(json.load(sys.stdin)[\"access_token\"])')",
        f'    curl -s {cards}/v1/me/household -H "Authorization: Bearer $TOKEN"',
        f'    curl -s {points}/v1/me/balance -H "Authorization: Bearer $TOKEN"',
        "  As the till:",
        f"    curl -s -X POST {identity}/v1/oauth/token -d grant_type=client_credentials "
        f"-d client_id={state.till_client_id} -d client_secret={state.till_client_secret}",
        "",
    ]
    return "\n".join(lines)


def main() -> int:
    """Seed the stack ``make run`` started with its default settings."""
    from scripts.run_local import StackConfig, seed_targets

    config = StackConfig()
    try:
        print(seed(seed_targets(config, f"mongodb://127.0.0.1:{config.mongo_port}/?replicaSet=rs0")))
    except SeedError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
