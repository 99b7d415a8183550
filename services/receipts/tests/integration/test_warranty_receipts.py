"""Warranty receipts through the bus and HTTP: saved for the people who turned the
service on, searched, printed, deleted, returned, expired, and nobody else's."""

from collections.abc import Awaitable, Callable
from datetime import timedelta
from io import BytesIO
from typing import Any

from pypdf import PdfReader

from plussa_receipts.commands.expire_receipts import run as run_expiry
from plussa_receipts.testing import BOUGHT, Receipts, line, purchase_event
from plussa_shared.testing.bus import bus_probe
from plussa_shared.testing.contract import Contract, assert_routes_documented
from plussa_shared.testing.privacy import LATE_VERSIONS, documents_naming, late_version

Start = Callable[..., Awaitable[Receipts]]
AINO, EERO = "person-aino", "person-eero"
AINO_CARD, EERO_CARD = "6046000000000018", "6046000000000026"
TV = line("1", 'Samsung TV 55" 4K', 79900, 24)
MILK = line("2", "Maito 1 l", 129, None)


async def aino_with_the_service(start: Start, **overrides: Any) -> Receipts:
    service = await start(**overrides)
    await service.card(AINO_CARD, AINO)
    await service.card(EERO_CARD, EERO)
    await service.turn_on(AINO)
    service.clock.now = BOUGHT + timedelta(hours=1)
    return service


async def test_a_tv_bought_after_turning_the_service_on_is_saved_and_found_by_searching_tv(receipts: Start) -> None:
    service = await aino_with_the_service(receipts)

    purchase_id, _ = await service.purchase(AINO_CARD, [TV, MILK])
    found = await service.until(lambda: service.receipts(AINO, q="tv"))

    (receipt,) = found
    assert receipt["purchase_id"] == purchase_id
    assert receipt["chain"] == "k-citymarket"
    assert receipt["card_last4"] == AINO_CARD[-4:]
    assert [item["product_name"] for item in receipt["lines"]] == ['Samsung TV 55" 4K']
    assert receipt["lines"][0]["warranty_ends_on"] == "2028-03-14"
    assert receipt["lines"][0]["price"] == {"amount": 79900, "currency": "EUR"}
    assert receipt["kept_until"] == "2028-09-14"
    assert await service.receipts(AINO, q="SAMSUNG") == found
    assert await service.receipts(AINO, q="maito") == []


async def test_the_parallel_holder_of_the_household_sees_none_of_the_main_holders_receipts(receipts: Start) -> None:
    service = await aino_with_the_service(receipts)
    await service.purchase(AINO_CARD, [TV])
    (receipt,) = await service.until(lambda: service.receipts(AINO))

    eero = service.customer(EERO, role="parallel")
    own = await service.client.get(f"/v1/me/receipts/{receipt['receipt_id']}", headers=eero)
    random = await service.client.get("/v1/me/receipts/0123456789abcdef0123456789abcdef", headers=eero)
    pdf = await service.client.get(f"/v1/me/receipts/{receipt['receipt_id']}/pdf", headers=eero)
    delete = await service.client.delete(f"/v1/me/receipts/{receipt['receipt_id']}", headers=eero)

    assert await service.receipts(EERO) == []
    for answer in (own, random, pdf, delete):
        assert answer.status == 404
        body = await answer.json()
        assert body["type"].endswith("/receipt-not-found")
    assert (await own.json())["detail"] == (await random.json())["detail"]
    assert len(await service.receipts(AINO)) == 1


async def test_purchases_before_turning_it_on_in_other_chains_or_of_people_without_it_are_not_saved(
    receipts: Start,
) -> None:
    service = await receipts()
    await service.card(AINO_CARD, AINO)
    await service.card(EERO_CARD, EERO)
    _, before = await service.purchase(AINO_CARD, [TV], at=BOUGHT - timedelta(days=30))
    await service.handled(before)
    await service.turn_on(AINO)
    service.clock.now = BOUGHT
    _, rauta = await service.purchase(AINO_CARD, [TV], chain="k-rauta")
    _, eeros = await service.purchase(EERO_CARD, [TV])
    _, milk = await service.purchase(AINO_CARD, [MILK])
    for event_id in (rauta, eeros, milk):
        await service.handled(event_id)

    assert await service.receipts(AINO) == []
    assert await service.receipts(EERO) == []


async def test_the_same_purchase_sent_twice_makes_one_receipt(receipts: Start) -> None:
    service = await aino_with_the_service(receipts)

    purchase_id, first = await service.purchase(AINO_CARD, [TV])
    _, again = await service.purchase(AINO_CARD, [TV], purchase_id=purchase_id)
    _, redelivered = await service.purchase(AINO_CARD, [TV], purchase_id=purchase_id, event_id=first)
    for event_id in (first, again, redelivered):
        await service.handled(event_id)

    assert len(await service.receipts(AINO)) == 1


async def test_purchases_arriving_together_are_saved_in_one_transaction_each_purchase_once(receipts: Start) -> None:
    # The batch leaves when its four purchases are in, not by the linger.
    service = await aino_with_the_service(receipts, purchase_batch_max=4, purchase_batch_linger_ms=1_000)
    tv = purchase_event(AINO_CARD, [TV])
    sent = await service.purchases(
        [
            tv,
            # The same purchase under another event id: about the same subject, so it waits for the next batch.
            purchase_event(AINO_CARD, [TV], purchase_id=tv["data"]["purchase_id"]),
            purchase_event(AINO_CARD, [line("3", "Porakone", 12900, 36)]),
            purchase_event(EERO_CARD, [TV]),  # Eero never turned the service on
            purchase_event(AINO_CARD, [MILK]),  # no warranty
        ]
    )
    for event_id in sent:
        await service.handled(event_id)

    saved = await service.receipts(AINO)
    assert sorted(r["lines"][0]["product_name"] for r in saved) == ["Porakone", 'Samsung TV 55" 4K']
    assert await service.receipts(EERO) == []
    metrics = await (await service.client.get("/metrics")).text()
    purchases = 'type="fi.plussa.stores.purchase.completed"'
    assert f"event_batch_size_count{{{purchases}}} 2.0" in metrics  # the four, then the repeat alone
    assert f"event_batch_size_sum{{{purchases}}} 5.0" in metrics


async def test_a_purchase_on_an_unknown_card_in_a_batch_waits_alone_while_the_others_are_saved(receipts: Start) -> None:
    service = await aino_with_the_service(
        receipts, purchase_batch_max=2, purchase_batch_linger_ms=1_000, consumer_retry_delays_ms=[300, 600, 1200]
    )
    unknown_card = "6046000000000034"
    aino, _ = await service.purchases([purchase_event(AINO_CARD, [TV]), purchase_event(unknown_card, [TV])])
    await service.handled(aino)
    assert len(await service.receipts(AINO)) == 1

    await service.card(unknown_card, AINO)
    assert len(await service.until(lambda: _two(service.receipts(AINO)))) == 2


async def _two(receipts: Awaitable[list[Any]]) -> list[Any]:
    found = await receipts
    return found if len(found) == 2 else []


async def test_a_purchase_on_a_card_announced_later_is_saved_once_the_card_is_known(receipts: Start) -> None:
    service = await receipts(consumer_retry_delays_ms=[300, 600, 1200])
    await service.turn_on(AINO)
    service.clock.now = BOUGHT + timedelta(hours=1)

    await service.purchase(AINO_CARD, [TV])
    await service.card(AINO_CARD, AINO)

    assert len(await service.until(lambda: service.receipts(AINO))) == 1


async def test_search_text_with_regex_or_operator_characters_is_matched_literally(receipts: Start) -> None:
    service = await aino_with_the_service(receipts)
    await service.purchase(AINO_CARD, [line("1", "Kaapeli a.*b {$gt}", 1990, 6), line("2", "Akku", 4990, 12)])
    await service.until(lambda: service.receipts(AINO))

    assert len(await service.receipts(AINO, q="a.*b")) == 1
    assert len(await service.receipts(AINO, q="{$gt}")) == 1
    assert await service.receipts(AINO, q="a.*u") == []  # as a regex it would match "akku"
    assert await service.receipts(AINO, q="^K") == []
    assert len(await service.receipts(AINO, q="äkku")) == 1


async def test_a_malformed_or_inverted_date_range_is_refused_with_a_problem(receipts: Start) -> None:
    service = await aino_with_the_service(receipts)
    headers = service.customer(AINO)

    inverted = await service.client.get(
        "/v1/me/receipts", params={"from": "2026-03-10", "to": "2026-03-01"}, headers=headers
    )
    malformed = await service.client.get("/v1/me/receipts", params={"from": "10.3.2026"}, headers=headers)
    unknown = await service.client.get("/v1/me/receipts", params={"sort": "price"}, headers=headers)

    for answer in (inverted, malformed, unknown):
        assert answer.status in (400, 422), await answer.text()
        assert answer.content_type == "application/problem+json"
    assert (await inverted.json())["type"].endswith("/invalid-date-range")


async def test_receipts_are_filtered_by_store_and_dates_and_paged_newest_first(receipts: Start) -> None:
    service = await aino_with_the_service(receipts)
    for day in range(3):
        await service.purchase(AINO_CARD, [line("1", f"Laite {day}", 1000, 12)], at=BOUGHT + timedelta(days=day))
    await service.until(lambda: _count(service, 3))

    first = await service.client.get("/v1/me/receipts", params={"limit": "2"}, headers=service.customer(AINO))
    page = await first.json()
    second = await service.client.get(
        "/v1/me/receipts", params={"limit": "2", "cursor": page["next_cursor"]}, headers=service.customer(AINO)
    )
    rest = await second.json()
    names = [r["lines"][0]["product_name"] for r in page["items"] + rest["items"]]

    assert names == ["Laite 2", "Laite 1", "Laite 0"]
    assert rest["next_cursor"] is None
    one_day = await service.receipts(AINO, **{"from": "2026-03-15", "to": "2026-03-15"})
    assert [r["lines"][0]["product_name"] for r in one_day] == ["Laite 1"]
    assert await service.receipts(AINO, store_id="another-store") == []


async def _count(service: Receipts, expected: int) -> bool:
    return len(await service.receipts(AINO)) == expected


async def test_the_pdf_opens_and_shows_the_product_and_warranty_end_in_the_asked_language(receipts: Start) -> None:
    service = await aino_with_the_service(receipts)
    await service.purchase(AINO_CARD, [line("1", "Телевизор 55", 79900, 24)])
    (receipt,) = await service.until(lambda: service.receipts(AINO))

    answer = await service.client.get(
        f"/v1/me/receipts/{receipt['receipt_id']}/pdf", headers={**service.customer(AINO), "Accept-Language": "sv"}
    )

    assert answer.status == 200
    assert answer.content_type == "application/pdf"
    assert answer.headers["Content-Language"] == "sv"
    text = "".join(page.extract_text() for page in PdfReader(BytesIO(await answer.read())).pages)
    for expected in ("Garantikvitto", "Телевизор 55", "14.3.2028", receipt["purchase_id"]):
        assert expected in text


async def test_a_deleted_receipt_is_gone_and_its_pdf_too(receipts: Start) -> None:
    service = await aino_with_the_service(receipts)
    await service.purchase(AINO_CARD, [TV])
    (receipt,) = await service.until(lambda: service.receipts(AINO))
    path = f"/v1/me/receipts/{receipt['receipt_id']}"

    deleted = await service.client.delete(path, headers=service.customer(AINO))
    again = await service.client.delete(path, headers=service.customer(AINO))
    pdf = await service.client.get(f"{path}/pdf", headers=service.customer(AINO))

    assert deleted.status == 204
    assert again.status == 404
    assert pdf.status == 404
    assert await service.receipts(AINO) == []


async def test_a_return_marks_the_line_returned_on_the_receipt(receipts: Start) -> None:
    service = await aino_with_the_service(receipts)
    purchase_id, _ = await service.purchase(AINO_CARD, [TV, line("3", "Kaukosäädin", 2990, 12)])
    await service.until(lambda: service.receipts(AINO))

    returned = {
        "return_id": "ret-1",
        "purchase_id": purchase_id,
        "card_number": AINO_CARD,
        "store_id": "kcm-0042",
        "occurred_at": (BOUGHT + timedelta(days=3)).isoformat(),
        "lines": [{"line_id": "1", "quantity": 1, "amount_cents": 79900}],
    }
    event_id = await service.publish("fi.plussa.stores.purchase.returned", returned)
    await service.handled(event_id)

    (receipt,) = await service.receipts(AINO)
    assert [(item["line_id"], item["returned"]) for item in receipt["lines"]] == [("1", True), ("3", False)]


async def test_a_receipt_is_gone_thirty_months_after_a_24_month_warranty_purchase(receipts: Start) -> None:
    service = await aino_with_the_service(receipts)
    await service.purchase(AINO_CARD, [TV, MILK])
    (receipt,) = await service.until(lambda: service.receipts(AINO))
    amqp_url, exchange = service.amqp

    service.clock.now = BOUGHT + timedelta(days=30 * 30 - 10)  # still inside 2028-09-14
    assert len(await service.receipts(AINO)) == 1
    service.clock.now = BOUGHT.replace(year=2028, month=9, day=15)
    hidden = await service.client.get(f"/v1/me/receipts/{receipt['receipt_id']}", headers=service.customer(AINO))
    assert hidden.status == 404
    async with bus_probe(amqp_url, exchange, "receipts.receipt.expired") as probe:
        removed = await run_expiry(service.settings, at=service.clock.now)
        (expired,) = await probe.wait_for("fi.plussa.receipts.receipt.expired")

    assert removed == 1
    assert expired["data"]["receipt_id"] == receipt["receipt_id"]
    assert await service.ctx.db["receipts"].count_documents({}) == 0


async def _service_of(service: Receipts, person: str, headers: dict[str, str] | None = None) -> Any:
    return await service.client.get("/v1/me/receipt-service", headers=headers or service.customer(person))


async def test_turning_it_off_keeps_or_deletes_the_saved_receipts_as_chosen_and_a_stale_write_is_refused(
    receipts: Start,
) -> None:
    service = await aino_with_the_service(receipts)
    await service.purchase(AINO_CARD, [TV])
    await service.until(lambda: service.receipts(AINO))
    read = await _service_of(service, AINO)
    etag = read.headers["ETag"]

    off_keeping = await service.client.put(
        "/v1/me/receipt-service",
        json={"enabled": False, "keep_saved_receipts": True},
        headers={**service.customer(AINO), "If-Match": etag},
    )
    stale = await service.client.put(
        "/v1/me/receipt-service", json={"enabled": True}, headers={**service.customer(AINO), "If-Match": etag}
    )
    assert off_keeping.status == 200
    assert (await off_keeping.json())["enabled"] is False
    assert stale.status == 412
    assert (await _service_of(service, AINO)).headers["ETag"] != etag
    assert len(await service.receipts(AINO)) == 1

    await service.turn_on(AINO)
    off_deleting = await service.client.put(
        "/v1/me/receipt-service", json={"enabled": False, "keep_saved_receipts": False}, headers=service.customer(AINO)
    )
    assert off_deleting.status == 200
    assert await service.receipts(AINO) == []


async def test_the_service_setting_refuses_lax_input(receipts: Start) -> None:
    service = await receipts()
    for body in ({"enabled": "true"}, {"enabled": 1}, {}, {"enabled": True, "extra": 1}):
        answer = await service.client.put("/v1/me/receipt-service", json=body, headers=service.customer(AINO))
        assert answer.status == 422, body
        assert (await answer.json())["errors"]


async def test_an_erasure_request_removes_everything_of_the_person_and_says_so(receipts: Start) -> None:
    service = await aino_with_the_service(receipts)
    await service.purchase(AINO_CARD, [TV])
    await service.until(lambda: service.receipts(AINO))
    amqp_url, exchange = service.amqp

    async with bus_probe(amqp_url, exchange, "receipts.erasure.completed") as probe:
        await service.publish(
            "fi.plussa.identity.erasure.requested", {"request_id": "req-1", "person_id": AINO, "household_id": "hh-1"}
        )
        (answer,) = await probe.wait_for("fi.plussa.receipts.erasure.completed")

    assert answer["data"]["request_id"] == "req-1"
    assert await service.ctx.db["receipts"].count_documents({"person_id": AINO}) == 0
    assert await service.ctx.db["enrolments"].count_documents({"_id": AINO}) == 0
    assert await service.ctx.db["cards"].count_documents({"person_id": AINO}) == 0


@LATE_VERSIONS
async def test_an_older_card_event_arriving_after_the_erasure_brings_back_nothing_naming_the_person(
    receipts: Start, names_holder: bool
) -> None:
    service = await aino_with_the_service(receipts)
    await service.purchase(AINO_CARD, [TV])
    await service.until(lambda: service.receipts(AINO))
    card = {"card_id": f"card-{AINO_CARD}", "card_number": AINO_CARD, "household_id": "hh-1", "person_id": AINO}
    async with bus_probe(*service.amqp, "receipts.erasure.completed") as probe:
        erasure = {"request_id": "req-2", "person_id": AINO, "household_id": "hh-1"}
        await service.publish("fi.plussa.identity.erasure.requested", erasure)
        await probe.wait_for("fi.plussa.receipts.erasure.completed")

    # The card's first version, delivered again late; then another person's card.
    version = late_version(card, names_holder, state="active", version=1)
    late = await service.publish("fi.plussa.cards.card.issued", {"card": version})
    await service.card("6046000000000034", "person-saimi", "hh-2")
    db = service.ctx.db
    await service.until(lambda: db["inbox"].find_one({"_id": late}))  # handled, not dead-lettered
    assert await documents_naming(db, (AINO, AINO_CARD)) == []
    assert await service.ctx.store.card_by_number(None, AINO_CARD) is None


@LATE_VERSIONS
async def test_an_older_card_event_after_the_card_was_closed_for_the_erasure_does_not_bring_the_card_back(
    receipts: Start, names_holder: bool
) -> None:
    service = await aino_with_the_service(receipts)
    card = {"card_id": f"card-{AINO_CARD}", "card_number": AINO_CARD, "household_id": "hh-1", "person_id": AINO}
    closing = {"card": card | {"state": "closed", "version": 2}, "reason": "erased"}
    closed = await service.publish("fi.plussa.cards.card.closed", closing)
    await service.until(lambda: service.ctx.db["inbox"].find_one({"_id": closed}))
    unclosed = late_version(card, names_holder, state="active", version=1)
    late = await service.publish("fi.plussa.cards.card.issued", {"card": unclosed})
    await service.until(lambda: service.ctx.db["inbox"].find_one({"_id": late}))

    assert await service.ctx.store.card_by_number(None, AINO_CARD) is None


async def test_every_route_is_documented_and_the_answers_match_the_openapi_document(receipts: Start) -> None:
    service = await aino_with_the_service(receipts)
    await service.purchase(AINO_CARD, [TV])
    (receipt,) = await service.until(lambda: service.receipts(AINO))
    assert_routes_documented(service.client.app)
    contract = Contract.of(service.client.app)
    headers = service.customer(AINO)

    for method, path in (
        ("GET", "/v1/me/receipt-service"),
        ("GET", "/v1/me/receipts?q=tv"),
        ("GET", f"/v1/me/receipts/{receipt['receipt_id']}"),
        ("GET", "/v1/me/receipts/unknown"),
        ("GET", "/v1/me/receipts?from=2026-03-10&to=2026-03-01"),
    ):
        answer = await service.client.request(method, path, headers=headers)
        await contract.check_response(answer)
