"""The real notifications service on real MongoDB, RabbitMQ and the SMTP sink, and ways
to feed it events as identity, cards and points would."""

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest

from plussa_notifications.app import create_app
from plussa_notifications.context import NotificationsContext
from plussa_notifications.settings import NotificationsSettings
from plussa_notifications.testing.smtp_sink import SmtpSink
from plussa_shared.keys import context_of
from plussa_shared.testing.bus import envelope, publish
from plussa_shared.testing.tokens import TestTokens


@dataclass
class Harness:
    """One running notifications service, its sink, and helpers."""

    client: Any
    ctx: NotificationsContext
    settings: NotificationsSettings
    tokens: TestTokens
    sink: SmtpSink

    async def publish(
        self,
        event_type: str,
        data: dict[str, Any],
        *,
        event_id: str | None = None,
        private: bool = False,
        headers: dict[str, str] | None = None,
    ) -> str:
        """Publish an event as another service would (``private``: to this service alone;
        ``headers``: a ``traceparent``...); return its id."""
        event = envelope(event_type, data, event_id=event_id)
        exchange = self.settings.private_exchange("notifications") if private else self.settings.amqp_exchange
        await publish(self.settings.amqp_url.get_secret_value(), exchange, event, headers=headers)
        return str(event["id"])

    async def person(
        self, person_id: str, email: str, *, language: str = "fi", verified: bool = True, first_name: str = "Aino"
    ) -> None:
        """A customer as identity and cards announce one: registered, named (cards owns names)
        and, by default, verified."""
        await self.publish(
            "fi.plussa.identity.customer.registered",
            {
                "person_id": person_id,
                "household_id": f"hh-{person_id}",
                "email": email,
                "language": language,
                "occurred_at": "2026-11-30T09:00:00+00:00",
            },
        )
        await self.publish(
            "fi.plussa.cards.member.added",
            {
                "household_id": f"hh-{person_id}",
                "person_id": person_id,
                "role": "main",
                "first_name": first_name,
                "last_name": "Virtanen",
                "date_of_birth": "1980-01-01",
                "email": email,
                "language": language,
                "can_use_money": True,
                "occurred_at": "2026-11-30T09:00:01+00:00",
            },
        )
        if verified:
            await self.publish(
                "fi.plussa.identity.email.verified",
                {"person_id": person_id, "email": email, "occurred_at": "2026-11-30T09:00:02+00:00"},
            )
        await self.until(lambda: self._known(person_id, verified, first_name))

    async def _known(self, person_id: str, verified: bool, first_name: str) -> bool:
        found = await self.ctx.store.person(person_id)
        return found is not None and found.email_verified == verified and found.first_name == first_name

    async def until(self, check: Callable[[], Awaitable[bool]], timeout: float = 10.0) -> None:
        """Wait until ``check`` holds."""
        deadline = time.monotonic() + timeout
        while not await check():
            if time.monotonic() > deadline:
                raise AssertionError("condition not met in time")
            await asyncio.sleep(0.05)

    @property
    def amqp(self) -> tuple[str, str]:
        """The broker URL and exchange of this test."""
        return self.settings.amqp_url.get_secret_value(), self.settings.amqp_exchange

    def customer(self, person_id: str) -> dict[str, str]:
        """A customer's Authorization header."""
        return self.tokens.bearer(self.tokens.customer(person_id, f"hh-{person_id}"))

    async def messages(self, person_id: str) -> list[Any]:
        """Every message the service holds for the person."""
        found, _ = await self.ctx.store.my_messages(person_id, 1000, None)
        return found


@pytest.fixture
def notifications_settings(settings_for: Any, smtp_sink: SmtpSink) -> Callable[..., NotificationsSettings]:
    def make(**overrides: Any) -> NotificationsSettings:
        values: dict[str, Any] = {
            "smtp_port": smtp_sink.port,
            "smtp_timeout_s": 1.0,
            "retry_first_s": 0.2,
            "retry_cap_s": 0.5,
            "sender_poll_interval_s": 0.1,
            "consumer_retry_delays_ms": [200, 500, 1000, 2000],
            "unsubscribe_base_url": "https://api.plussa.test",
            "portal_base_url": "https://oma.plussa.test",
            **overrides,
        }
        return settings_for(NotificationsSettings, **values)  # type: ignore[no-any-return]

    return make


@pytest.fixture
async def harness(
    aiohttp_client: Any,
    notifications_settings: Callable[..., NotificationsSettings],
    tokens: TestTokens,
    smtp_sink: SmtpSink,
) -> Harness:
    settings = notifications_settings()
    client = await aiohttp_client(create_app(settings))
    return Harness(client, context_of(client.app, NotificationsContext), settings, tokens, smtp_sink)
