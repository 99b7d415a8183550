"""The warranty receipt service as a customer uses it, through HTTP and the bus only:
the cards service makes the household, a store's purchases arrive on the bus, and the
receipts service keeps, shows, prints and finally forgets the TV's receipt."""

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from io import BytesIO
from typing import Any

from pypdf import PdfReader

from plussa_cards.app import create_app as create_cards_app
from plussa_cards.settings import CardsSettings
from plussa_cards.testing import CardsApi
from plussa_receipts.app import create_app as create_receipts_app
from plussa_receipts.commands.expire_receipts import run as expire_receipts
from plussa_receipts.domain.warranty import add_months
from plussa_receipts.settings import ReceiptsSettings
from plussa_shared.testing.bus import envelope, publish


def purchase(card_number: str, bought: datetime) -> dict[str, Any]:
    lines = [
        ("1", 'Samsung TV 55" 4K', "electronics", 79900, 24),
        ("2", "Maito 1 l", "grocery", 129, None),
    ]
    return {
        "purchase_id": uuid.uuid4().hex,
        "card_number": card_number,
        "store_id": "kcm-0042",
        "store_name": "K-Citymarket Ruoholahti",
        "chain": "k-citymarket",
        "occurred_at": bought.isoformat(),
        "payment": {"method": "cash", "network_token": None},
        "lines": [
            {
                "line_id": line_id,
                "product_id": f"sku-{line_id}",
                "name": name,
                "category": category,
                "quantity": 1,
                "unit_price_cents": cents,
                "amount_cents": cents,
                "warranty_months": months,
            }
            for line_id, name, category, cents, months in lines
        ],
        "total_cents": 80029,
    }


async def until(check: Any, timeout: float = 20.0) -> Any:
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        value = await check()
        if value:
            return value
        await asyncio.sleep(0.1)
    raise AssertionError("condition not met in time")


async def test_a_tv_receipt_is_kept_found_printed_hidden_from_the_parallel_holder_and_gone_thirty_months_later(
    aiohttp_client: Any, settings_for: Any, tokens: Any, amqp_url: str
) -> None:
    cards_settings: CardsSettings = settings_for(CardsSettings)
    receipts_settings: ReceiptsSettings = settings_for(ReceiptsSettings)
    cards = CardsApi(await aiohttp_client(create_cards_app(cards_settings)), tokens)
    receipts = await aiohttp_client(create_receipts_app(receipts_settings))
    main = await cards.apply("Aino")
    parallel = await cards.add_parallel(main, "Eero")

    turned_on = await receipts.put("/v1/me/receipt-service", json={"enabled": True}, headers=main.headers)
    assert turned_on.status == 200, await turned_on.text()
    bought_at = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=1)  # after turning it on
    bought = purchase(main.card["card_number"], bought_at)

    async def published_and_listed() -> list[dict[str, Any]]:
        answer = await receipts.get("/v1/me/receipts", params={"q": "tv"}, headers=main.headers)
        return list((await answer.json())["items"])

    await publish(amqp_url, cards_settings.amqp_exchange, envelope("fi.plussa.stores.purchase.completed", bought))
    (found,) = await until(published_and_listed)
    assert [line["product_name"] for line in found["lines"]] == ['Samsung TV 55" 4K']
    everything = await (await receipts.get("/v1/me/receipts", headers=main.headers)).json()
    assert len(everything["items"]) == 1

    pdf = await receipts.get(
        f"/v1/me/receipts/{found['receipt_id']}/pdf", headers={**main.headers, "Accept-Language": "en"}
    )
    assert pdf.status == 200
    text = "".join(page.extract_text() for page in PdfReader(BytesIO(await pdf.read())).pages)
    warranty_end = add_months(bought_at.date(), 24)
    assert 'Samsung TV 55" 4K' in text
    assert warranty_end.isoformat() in text

    theirs = await receipts.get("/v1/me/receipts", headers=parallel.headers)
    assert (await theirs.json())["items"] == []
    peek = await receipts.get(f"/v1/me/receipts/{found['receipt_id']}", headers=parallel.headers)
    assert peek.status == 404

    thirty_months_later = bought_at + timedelta(days=30 * 31)
    assert await expire_receipts(receipts_settings, at=thirty_months_later) == 1
    gone = await receipts.get(f"/v1/me/receipts/{found['receipt_id']}", headers=main.headers)
    assert gone.status == 404
