"""The notifications issue's "Done when" on the real stack (identity, cards, notifications,
MongoDB, RabbitMQ and a real SMTP server):

- a new customer's verification mail carries a link that verifies them;
- they opt in to K-Citymarket and out of K-Rauta: a K-Citymarket offer arrives in their
  language and a K-Rauta one does not;
- one click on the unsubscribe link stops the next and shows in their consent history;
- a card blocked in the cards service produces exactly one service mail, even when the
  event is delivered twice.
"""

import asyncio
import re
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from plussa_cards.app import create_app as create_cards_app
from plussa_cards.settings import CardsSettings
from plussa_identity.app import create_app as create_identity_app
from plussa_identity.context import IdentityContext
from plussa_identity.settings import IdentitySettings
from plussa_identity.use_cases.service_clients import create_client
from plussa_notifications.app import create_app as create_notifications_app
from plussa_notifications.context import NotificationsContext
from plussa_notifications.settings import NotificationsSettings
from plussa_notifications.testing.smtp_sink import SmtpSink
from plussa_shared.keys import context_of
from plussa_shared.testing.bus import bus_probe, publish

PASSWORD = "kesäinen mökkiranta 42"
FAST_HASHING = {"argon2_time_cost": 1, "argon2_memory_cost_kib": 64, "argon2_parallelism": 1}
APPLICANT = {
    "first_name": "Saga",
    "last_name": "Lindqvist",
    "date_of_birth": "1990-03-01",
    "email": "saga@example.fi",
    "language": "sv",
    "address": {"street": "Esplanaden 5", "postal_code": "00130", "city": "Helsingfors"},
}
OFFER = {
    "kind": "offer",
    "title": {"fi": "Joulukinkku -20 %", "sv": "Julskinka -20 %", "en": "Christmas ham -20 %"},
    "text": {"fi": "Vain tällä viikolla.", "sv": "Bara den här veckan.", "en": "This week only."},
}


async def until(check: Any, timeout: float = 20.0) -> Any:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        value = await check()
        if value:
            return value
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.05)


def link_in(mail: EmailMessage, pattern: str) -> str:
    body = mail.get_body(("plain",))
    assert body is not None
    text = body.get_content()
    found = re.search(pattern, text)
    assert found is not None, text
    return found.group(0)


async def partner_token(identity: Any, chain_id: str) -> dict[str, str]:
    """A partner system's credential as identity issues it (client credentials)."""
    created = await create_client(
        context_of(identity.app, IdentityContext),
        f"partner-{chain_id}",
        ["notifications:send", f"notifications:chain:{chain_id}"],
        "service",
    )
    answer = await identity.post(
        "/v1/oauth/token",
        json={
            "grant_type": "client_credentials",
            "client_id": created.client_id,
            "client_secret": created.client_secret,
        },
    )
    assert answer.status == 200, await answer.text()
    return {"Authorization": f"Bearer {(await answer.json())['access_token']}"}


async def test_consented_offers_one_click_unsubscribe_one_mail_per_blocked_card_and_a_verifying_link(
    aiohttp_client: Any, settings_for: Any, tmp_path: Path
) -> None:
    sink = SmtpSink(tmp_path / "mail").start()
    identity_settings = settings_for(IdentitySettings, **FAST_HASHING)
    amqp = (identity_settings.amqp_url.get_secret_value(), identity_settings.amqp_exchange)
    try:
        async with bus_probe(*amqp, "cards.card.blocked") as probe:
            identity = await aiohttp_client(create_identity_app(identity_settings))
            jwks_url = str(identity.make_url("/.well-known/jwks.json"))
            cards = await aiohttp_client(create_cards_app(settings_for(CardsSettings, jwks_url=jwks_url)))
            notifications = await aiohttp_client(
                create_notifications_app(
                    settings_for(
                        NotificationsSettings,
                        jwks_url=jwks_url,
                        smtp_port=sink.port,
                        unsubscribe_base_url="https://api.plussa.test",
                        portal_base_url="https://oma.plussa.test",
                    )
                )
            )

            # A new customer: the verification mail's link verifies them.
            applied = await cards.post("/v1/applications", json=APPLICANT)
            assert applied.status == 201, await applied.text()
            card = (await applied.json())["card"]
            registration = {
                "card_number": card["card_number"],
                "date_of_birth": APPLICANT["date_of_birth"],
                "email": "saga@example.fi",
                "password": PASSWORD,
                "language": "sv",
            }

            async def registered() -> Any:
                response = await identity.post("/v1/registrations", json=registration)
                return response if response.status != 422 else None  # identity has not heard of the card yet

            assert (await until(registered)).status == 201
            [verification] = await sink.wait_for(1, timeout=20)
            assert verification["To"] == "saga@example.fi"
            assert verification["Subject"] == "Bekräfta din e-postadress"
            link = link_in(verification, r"https://oma\.plussa\.test/verify-email\?token=\S+")
            token = parse_qs(urlsplit(link).query)["token"][0]
            verified = await identity.post("/v1/email-verifications", json={"token": token})
            assert verified.status == 200, await verified.text()

            login = await identity.post("/v1/sessions", json={"email": "saga@example.fi", "password": PASSWORD})
            me = {"Authorization": f"Bearer {(await login.json())['access_token']}"}
            person_id = card["person_id"]
            store = context_of(notifications.app, NotificationsContext).store

            async def address_verified() -> bool:
                found = await store.person(person_id)
                return bool(found and found.email_verified)

            # Opt in to K-Citymarket, out of K-Rauta: only the K-Citymarket offer arrives, in Swedish.
            chosen = await notifications.patch(
                "/v1/me/preferences", json={"consents": {"k-citymarket": True, "k-rauta": False}}, headers=me
            )
            assert chosen.status == 200, await chosen.text()
            citymarket = await partner_token(identity, "k-citymarket")
            rauta = await partner_token(identity, "k-rauta")
            await until(address_verified)
            sent = await notifications.post("/v1/campaigns", json={**OFFER, "chain_id": "k-rauta"}, headers=rauta)
            assert sent.status == 201, await sent.text()
            await until(lambda: _campaign_queued(notifications, rauta, sent))
            sent = await notifications.post(
                "/v1/campaigns", json={**OFFER, "chain_id": "k-citymarket"}, headers=citymarket
            )
            assert sent.status == 201, await sent.text()
            offer = (await sink.wait_for(2, timeout=20))[1]
            assert offer["Subject"] == "K-Citymarket: Julskinka -20 %"
            assert offer["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

            # One click stops the next offer and shows in the consent history.
            unsubscribe = urlsplit(link_in(offer, r"https://api\.plussa\.test/v1/unsubscribe/\S+"))
            clicked = await notifications.post(
                f"{unsubscribe.path}?{unsubscribe.query}",
                data="List-Unsubscribe=One-Click",
                headers={"Content-Type": "application/x-www-form-urlencoded"},
            )
            assert clicked.status == 200, await clicked.text()
            next_offer = await notifications.post(
                "/v1/campaigns", json={**OFFER, "chain_id": "k-citymarket"}, headers=citymarket
            )
            await until(lambda: _campaign_queued(notifications, citymarket, next_offer))
            history = await (await notifications.get("/v1/me/consents", headers=me)).json()
            assert (history["items"][0]["chain_id"], history["items"][0]["source"]) == (
                "k-citymarket",
                "unsubscribe_link",
            )
            assert history["items"][0]["consented"] is False

            # A card blocked in cards: one service mail, even when the event comes twice.
            blocked = await cards.post(f"/v1/cards/{card['card_id']}/block", json={"reason": "lost"}, headers=me)
            assert blocked.status == 200, await blocked.text()
            [event] = await probe.wait_for("fi.plussa.cards.card.blocked")
            await publish(*amqp, event)
            mails = await sink.wait_for(3, timeout=20)
            await asyncio.sleep(1.5)
            assert len(sink.files()) == 3
            assert mails[2]["Subject"] == "Ditt Plussa-kort har spärrats"
            assert mails[2]["To"] == "saga@example.fi"
    finally:
        sink.stop()


async def _campaign_queued(notifications: Any, headers: dict[str, str], started: Any) -> bool:
    location = started.headers["Location"]
    found = await (await notifications.get(location, headers=headers)).json()
    return bool(found["status"] == "queued")
