"""Test support: the cards events identity learns from, published as the cards service
would (docs/event-contract.md), and waiting until identity has applied them."""

import asyncio
import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from plussa_identity.context import IdentityContext
from plussa_identity.domain.card_numbers import with_check_digit
from plussa_shared.testing.bus import envelope, publish

CARDS_SOURCE = "/plussa/cards"


def new_card_number() -> str:
    """A random 16-digit number with a valid Luhn check digit."""
    return with_check_digit("6064" + "".join(random.choices("0123456789", k=11)))  # noqa: S311 - test data


@dataclass
class Holder:
    """A household member and their card, as the cards service announced them."""

    person_id: str
    household_id: str
    role: str
    date_of_birth: date
    card_id: str
    card_number: str
    kind: str
    state: str = "active"
    version: int = 1
    first_name: str = "Aino"
    last_name: str = "Virtanen"
    extra: dict[str, Any] = field(default_factory=dict)

    def snapshot(self) -> dict[str, Any]:
        """The CardSnapshot of the holder's card."""
        return {
            "card_id": self.card_id,
            "card_number": self.card_number,
            "kind": self.kind,
            "state": self.state,
            "household_id": self.household_id,
            "person_id": self.person_id,
            "can_earn": self.state == "active",
            "can_spend": self.state == "active" and self.kind != "temporary",
            "valid_until": None,
            "replaces_card_id": None,
            "version": self.version,
        }


class CardsFeed:
    """Publishes households, members and cards on the test exchange."""

    def __init__(self, amqp_url: str, exchange: str) -> None:
        self.amqp_url = amqp_url
        self.exchange = exchange

    async def publish(self, event_type: str, data: dict[str, Any], subject: str) -> None:
        """One cards event."""
        await publish(self.amqp_url, self.exchange, envelope(event_type, data, source=CARDS_SOURCE, subject=subject))

    async def household(self, *, date_of_birth: date = date(1984, 5, 17), kind: str = "main") -> Holder:
        """A new household whose main holder has an active card of ``kind``."""
        household_id = uuid.uuid4().hex
        holder = Holder(
            uuid.uuid4().hex, household_id, "main", date_of_birth, uuid.uuid4().hex, new_card_number(), kind
        )
        now = _now()
        await self.publish(
            "fi.plussa.cards.household.created",
            {"household_id": household_id, "main_person_id": holder.person_id, "occurred_at": now},
            f"household/{household_id}",
        )
        await self.member_added(holder)
        await self.card("issued", holder)
        return holder

    async def parallel(self, main: Holder, *, date_of_birth: date = date(2001, 2, 3)) -> Holder:
        """A parallel holder of ``main``'s household with an active parallel card."""
        holder = Holder(
            uuid.uuid4().hex,
            main.household_id,
            "parallel",
            date_of_birth,
            uuid.uuid4().hex,
            new_card_number(),
            "parallel",
            first_name="Eetu",
        )
        await self.member_added(holder)
        await self.card("issued", holder)
        return holder

    async def member_added(self, holder: Holder) -> None:
        """``member.added`` for ``holder``."""
        await self.publish(
            "fi.plussa.cards.member.added",
            {
                "household_id": holder.household_id,
                "person_id": holder.person_id,
                "role": holder.role,
                "first_name": holder.first_name,
                "last_name": holder.last_name,
                "date_of_birth": holder.date_of_birth.isoformat(),
                "email": None,
                "language": "fi",
                "can_use_money": holder.role == "main",
                "occurred_at": _now(),
            },
            f"household/{holder.household_id}",
        )

    async def member_removed(self, holder: Holder) -> None:
        """``member.removed`` for ``holder``."""
        await self.publish(
            "fi.plussa.cards.member.removed",
            {"household_id": holder.household_id, "person_id": holder.person_id, "occurred_at": _now()},
            f"household/{holder.household_id}",
        )

    async def card(self, change: str, holder: Holder, **extra: Any) -> None:
        """``card.{change}`` with the holder's card as it is now."""
        await self.publish(
            f"fi.plussa.cards.card.{change}",
            {"card": holder.snapshot(), "occurred_at": _now(), **extra},
            f"card/{holder.card_id}",
        )

    async def block(self, holder: Holder, reason: str = "lost") -> None:
        """The holder's card is blocked (a newer version)."""
        holder.state, holder.version = "blocked", holder.version + 1
        await self.card("blocked", holder, reason=reason)


async def until_card_known(identity: IdentityContext, holder: Holder, *, timeout: float = 10.0) -> None:
    """Wait until identity's read model has the holder's card at its current version and the member."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        card = await identity.store.card_by_number(holder.card_number)
        member = await identity.store.member(holder.person_id)
        if card is not None and card.version >= holder.version and member is not None and member.date_of_birth:
            return
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"identity did not learn card {holder.card_id} v{holder.version} in {timeout}s")
        await asyncio.sleep(0.05)


def _now() -> str:
    return datetime.now(UTC).isoformat()


class IdentityApi:
    """Drives identity's HTTP API as a customer would (``client`` is a pytest-aiohttp test client)."""

    def __init__(self, client: Any, probe: Any) -> None:
        self.client = client
        self.probe = probe

    async def register(self, holder: Holder, email: str, password: str, language: str = "fi") -> Any:
        """POST /v1/registrations with the holder's card and date of birth."""
        return await self.client.post(
            "/v1/registrations",
            json={
                "card_number": holder.card_number,
                "date_of_birth": holder.date_of_birth.isoformat(),
                "email": email,
                "password": password,
                "language": language,
            },
        )

    async def verification_token(self, email: str) -> str:
        """The token of the verification link identity asked notifications to send to ``email``."""
        [event] = await self.probe.wait_for(
            "fi.plussa.identity.email_verification.requested", lambda e: e["data"]["email"] == email
        )
        return str(event["data"]["token"])

    async def registered(self, holder: Holder, email: str, password: str) -> None:
        """Register and verify the e-mail address; fail loudly when either step does not succeed."""
        response = await self.register(holder, email, password)
        assert response.status == 201, await response.text()
        token = await self.verification_token(email)
        verified = await self.client.post("/v1/email-verifications", json={"token": token})
        assert verified.status == 200, await verified.text()

    async def login(self, email: str, password: str, **headers: str) -> dict[str, Any]:
        """POST /v1/sessions; the tokens."""
        response = await self.client.post("/v1/sessions", json={"email": email, "password": password}, headers=headers)
        assert response.status == 201, await response.text()
        tokens: dict[str, Any] = await response.json()
        return tokens

    @staticmethod
    def bearer(tokens: dict[str, Any]) -> dict[str, str]:
        """The Authorization header for the access token of ``tokens``."""
        return {"Authorization": f"Bearer {tokens['access_token']}"}
