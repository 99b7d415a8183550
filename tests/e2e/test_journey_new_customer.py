"""Journey 1: a new customer joins K-Plussa and Oma Plussa, on all six services.

They apply for a card at cards, register at identity with the card's number, verify the
e-mail address by following the link of the mail that really arrived at the SMTP server,
log in and choose which chains may send them offers.
"""

from pathlib import Path
from typing import Any

from tests.e2e.stack import body, running_stack


async def test_a_new_customer_applies_registers_verifies_from_the_mail_logs_in_and_sets_contact_preferences(
    aiohttp_client: Any, settings_for: Any, tmp_path: Path
) -> None:
    async with running_stack(aiohttp_client, settings_for, tmp_path) as stack:
        aino = await stack.apply("Aino", "Virtanen", "1984-05-17")
        assert aino.card["state"] == "active"

        await stack.register(aino)
        mail = await stack.verify_from_mail(aino)
        assert mail["Subject"] == "Vahvista sähköpostiosoitteesi"
        assert len(stack.mails_to(aino.email)) == 1
        await stack.login(aino)

        profile = await body(await stack.identity.get("/v1/me/profile", headers=aino.headers))
        assert (profile["email"], profile["first_name"], profile["last_name"]) == (aino.email, "Aino", "Virtanen")
        cards = await body(await stack.cards.get("/v1/me/cards", headers=aino.headers))
        assert aino.card["card_number"] in str(cards)

        chosen = await body(
            await stack.notifications.patch(
                "/v1/me/preferences",
                json={"consents": {"k-citymarket": True, "k-rauta": False}},
                headers=aino.headers,
            )
        )
        shown = await body(await stack.notifications.get("/v1/me/preferences", headers=aino.headers))
        history = await body(await stack.notifications.get("/v1/me/consents", headers=aino.headers))

    assert chosen == shown
    consents = {item["chain_id"]: item["consented"] for item in shown["chains"]}
    assert (consents["k-citymarket"], consents["k-rauta"]) == (True, False)
    # Only a change is history: K-Rauta never had their consent.
    assert [(item["chain_id"], item["consented"], item["source"]) for item in history["items"]] == [
        ("k-citymarket", True, "portal")
    ]
