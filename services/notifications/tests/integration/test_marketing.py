"""Marketing: only with consent at the time of sending, with one-click unsubscribe that works once."""

import asyncio
import re
from typing import Any
from urllib.parse import urlsplit

from plussa_notifications.domain.messages import MessageStatus

from .conftest import Harness

CITYMARKET = "k-citymarket"


def offer(chain_id: str, title: str = "Joulukinkku") -> dict[str, Any]:
    return {
        "chain_id": chain_id,
        "kind": "offer",
        "title": {"fi": f"{title} -20 %", "sv": f"{title} -20 % (sv)", "en": f"{title} -20 % (en)"},
        "text": {"fi": "Vain tällä viikolla.", "sv": "Bara den här veckan.", "en": "This week only."},
    }


def partner(harness: Harness, chain_id: str) -> dict[str, str]:
    return harness.tokens.bearer(
        harness.tokens.service(f"partner-{chain_id}", "notifications:send", f"notifications:chain:{chain_id}")
    )


async def send(harness: Harness, chain_id: str, title: str = "Joulukinkku") -> dict[str, Any]:
    answer = await harness.client.post("/v1/campaigns", json=offer(chain_id, title), headers=partner(harness, chain_id))
    assert answer.status == 201, await answer.text()
    return dict(await answer.json())


async def consenting(harness: Harness, person_id: str, language: str, choices: dict[str, bool]) -> None:
    await harness.person(person_id, f"{person_id}@example.fi", language=language)
    answer = await harness.client.patch(
        "/v1/me/preferences", json={"consents": choices}, headers=harness.customer(person_id)
    )
    assert answer.status == 200


def one_click_path(mail: Any) -> str:
    url = re.fullmatch(r"\s*<(https://\S+)>\s*", str(mail["List-Unsubscribe"]))
    assert url is not None
    parts = urlsplit(url.group(1))
    assert parts.scheme == "https"
    return f"{parts.path}?{parts.query}"


async def test_an_offer_reaches_only_those_who_consented_to_its_chain_in_their_language(harness: Harness) -> None:
    await consenting(harness, "p-en", "en", {CITYMARKET: True, "k-rauta": False})
    await consenting(harness, "p-rauta", "fi", {"k-rauta": True})
    await harness.person("p-none", "p-none@example.fi")

    await send(harness, CITYMARKET)
    await send(harness, "k-rauta", "Porakone")
    arrived = await harness.sink.wait_for(2)

    by_to = {str(m["To"]): m for m in arrived}
    assert set(by_to) == {"p-en@example.fi", "p-rauta@example.fi"}
    assert by_to["p-en@example.fi"]["Subject"] == "K-Citymarket: Joulukinkku -20 % (en)"
    assert by_to["p-rauta@example.fi"]["Subject"] == "K-Rauta: Porakone -20 %"
    assert by_to["p-en@example.fi"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "This week only." in by_to["p-en@example.fi"].get_body(("plain",)).get_content()


async def test_one_click_unsubscribe_withdraws_stops_the_next_offer_and_shows_in_the_history(harness: Harness) -> None:
    await consenting(harness, "p-click", "fi", {CITYMARKET: True})
    await send(harness, CITYMARKET)
    [mail] = await harness.sink.wait_for(1)
    path = one_click_path(mail)

    shown = await harness.client.get(path)
    clicked = await harness.client.post(
        path, data="List-Unsubscribe=One-Click", headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    again = await harness.client.post(path, data="List-Unsubscribe=One-Click")
    campaign = await send(harness, CITYMARKET, "Toinen")
    await harness.until(lambda: _campaign_done(harness, campaign["campaign_id"]))
    history = await (await harness.client.get("/v1/me/consents", headers=harness.customer("p-click"))).json()

    assert shown.status == 200
    assert (await shown.json())["consented"] is True
    assert clicked.status == 200
    assert (await clicked.json())["consented"] is False
    assert again.status == 409
    assert (await again.json())["type"] == "https://api.plussa.fi/problems/unsubscribe-token-used"
    assert history["items"][0]["source"] == "unsubscribe_link"
    assert history["items"][0]["consented"] is False
    assert len(harness.sink.files()) == 1


async def test_a_forged_token_or_one_for_another_person_is_refused_and_changes_nothing(harness: Harness) -> None:
    await consenting(harness, "p-victim", "fi", {CITYMARKET: True})
    await consenting(harness, "p-attacker", "fi", {CITYMARKET: True})
    await send(harness, CITYMARKET)
    mails = await harness.sink.wait_for(2)
    attacker_path = one_click_path(next(m for m in mails if m["To"] == "p-attacker@example.fi"))
    path, query = attacker_path.split("?")
    header, payload, signature = query.removeprefix("token=").split(".")
    forged_signature = ("A" if signature[0] != "A" else "B") + signature[1:]

    for_victim = await harness.client.post(path.replace("p-attacker", "p-victim") + "?" + query)
    other_chain = await harness.client.post(path.replace(CITYMARKET, "k-rauta") + "?" + query)
    forged = await harness.client.post(f"{path}?token={header}.{payload}.{forged_signature}")
    garbage = await harness.client.post(f"{path}?token=not-a-token")

    assert for_victim.status == 403
    assert (await for_victim.json())["type"] == "https://api.plussa.fi/problems/unsubscribe-token-not-yours"
    assert other_chain.status == 403
    assert forged.status == 403
    assert (await forged.json())["type"] == "https://api.plussa.fi/problems/unsubscribe-token-invalid"
    assert garbage.status == 422
    for person_id in ("p-victim", "p-attacker"):
        assert (await harness.ctx.store.preferences(person_id)).may_receive_marketing(CITYMARKET)


async def test_a_withdrawal_before_sending_stops_an_offer_already_queued(harness: Harness) -> None:
    await consenting(harness, "p-late", "fi", {CITYMARKET: True})
    harness.sink.stop()
    campaign = await send(harness, CITYMARKET)
    await harness.until(lambda: _campaign_done(harness, campaign["campaign_id"]))
    await harness.until(lambda: _tried(harness, "p-late"))

    await harness.client.patch(
        "/v1/me/preferences", json={"consents": {CITYMARKET: False}}, headers=harness.customer("p-late")
    )
    harness.sink.start()
    await harness.until(lambda: _settled(harness, "p-late"))

    [message] = await harness.messages("p-late")
    assert message.status is MessageStatus.FAILED
    assert message.reason == "consent-withdrawn"
    assert harness.sink.files() == []


async def test_a_partner_sends_only_for_its_own_chain_and_only_to_a_known_one(harness: Harness) -> None:
    rauta = partner(harness, "k-rauta")

    other = await harness.client.post("/v1/campaigns", json=offer(CITYMARKET), headers=rauta)
    unknown = await harness.client.post("/v1/campaigns", json=offer("k-nowhere"), headers=partner(harness, "k-nowhere"))
    customer = await harness.client.post("/v1/campaigns", json=offer(CITYMARKET), headers=harness.customer("p"))

    assert other.status == 403
    assert (await other.json())["type"] == "https://api.plussa.fi/problems/chain-not-allowed"
    assert unknown.status == 422
    assert customer.status == 403


async def _campaign_done(harness: Harness, campaign_id: str) -> bool:
    found = await harness.ctx.store.campaign(campaign_id)
    return found is not None and found["status"] == "queued"


async def _tried(harness: Harness, person_id: str) -> bool:
    return any(m.attempts >= 1 for m in await harness.messages(person_id))


async def _settled(harness: Harness, person_id: str) -> bool:
    found = await harness.messages(person_id)
    return bool(found) and all(m.status is not MessageStatus.QUEUED for m in found)


async def test_a_retried_campaign_post_with_the_same_key_starts_one_campaign(harness: Harness) -> None:
    await consenting(harness, "p-retry", "fi", {CITYMARKET: True})
    headers = {**partner(harness, CITYMARKET), "Idempotency-Key": "3b9f6f0e-campaign-retry"}

    first = await harness.client.post("/v1/campaigns", json=offer(CITYMARKET), headers=headers)
    retry = await harness.client.post("/v1/campaigns", json=offer(CITYMARKET), headers=headers)
    other_body = await harness.client.post("/v1/campaigns", json=offer(CITYMARKET, "Toinen"), headers=headers)
    await harness.sink.wait_for(1)
    location = first.headers["Location"]
    await harness.until(lambda: _campaign_done(harness, location.rsplit("/", 1)[1]))

    assert (first.status, retry.status, other_body.status) == (201, 201, 422)
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert await first.json() == await retry.json()
    assert len(harness.sink.files()) == 1
    assert location.startswith("/v1/campaigns/campaign-")


def offer_event(offer_id: str, issuer_id: str, version: int = 1) -> dict[str, Any]:
    return {
        "offer_id": offer_id,
        "issuer_kind": "chain",
        "issuer_id": issuer_id,
        "segment_id": "seg-1",
        "title": {"fi": "Kahvi -30 %", "sv": "Kaffe -30 %", "en": "Coffee -30 %"},
        "reward": {"kind": "percent", "amount": 3000},
        "needs_activation": True,
        "valid_from": "2026-12-01T00:00:00+00:00",
        "valid_until": "2026-12-24T00:00:00+00:00",
        "version": version,
        "occurred_at": "2026-11-30T10:00:00+00:00",
    }


async def test_a_targeted_offer_from_benefits_is_mailed_only_to_those_who_consent_to_its_chain(
    harness: Harness,
) -> None:
    await consenting(harness, "p-target-sv", "sv", {CITYMARKET: True})
    await consenting(harness, "p-target-no", "fi", {"k-rauta": True})

    for person_id in ("p-target-sv", "p-target-no"):  # before the offer itself: waits and is retried
        await harness.publish(
            "fi.plussa.benefits.offer.targeted",
            {
                "offer_id": "offer-1",
                "person_id": person_id,
                "household_id": None,
                "occurred_at": "2026-11-30T10:00:00+00:00",
            },
        )
    await harness.publish("fi.plussa.benefits.offer.published", offer_event("offer-1", CITYMARKET))

    [mail] = await harness.sink.wait_for(1, timeout=15)
    await asyncio.sleep(1.0)
    assert len(harness.sink.files()) == 1
    assert mail["To"] == "p-target-sv@example.fi"
    assert mail["Subject"] == "K-Citymarket: Kaffe -30 %"
    assert "24 december 2026" in mail.get_body(("plain",)).get_content()
    assert await harness.messages("p-target-no") == []
