"""A person's data export and erasure, as identity asks every participant."""

from plussa_shared.testing.bus import bus_probe

from .conftest import Harness


async def test_an_export_carries_the_consents_and_messages_and_an_erasure_forgets_them(harness: Harness) -> None:
    await harness.person("p-priv", "priv@example.fi")
    await harness.client.patch(
        "/v1/me/preferences", json={"consents": {"k-rauta": True}}, headers=harness.customer("p-priv")
    )
    exchanges = [harness.settings.amqp_exchange, harness.settings.private_exchange("identity")]
    url = harness.settings.amqp_url.get_secret_value()
    async with bus_probe(url, exchanges, "notifications.export.completed", "notifications.erasure.completed") as probe:
        await harness.publish(
            "fi.plussa.identity.export.requested",
            {"request_id": "r-1", "person_id": "p-priv", "household_id": None, "occurred_at": "2026-11-30T10:00:00Z"},
        )
        [exported] = await probe.wait_for("fi.plussa.notifications.export.completed")
        await harness.publish(
            "fi.plussa.identity.erasure.requested",
            {"request_id": "r-2", "person_id": "p-priv", "household_id": None, "occurred_at": "2026-11-30T10:01:00Z"},
        )
        [erased] = await probe.wait_for("fi.plussa.notifications.erasure.completed")

    data = exported["data"]["data"]
    assert exported["data"]["service"] == "notifications"
    assert data["person"]["email"] == "priv@example.fi"
    assert data["consents"] == {"k-rauta": True}
    assert [(e["chain_id"], e["consented"], e["source"]) for e in data["consent_history"]] == [
        ("k-rauta", True, "portal")
    ]
    assert erased["data"]["request_id"] == "r-2"
    assert await harness.ctx.store.person("p-priv") is None
    assert await harness.ctx.store.ledger("p-priv") == []
