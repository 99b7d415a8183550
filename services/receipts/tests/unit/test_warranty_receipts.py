"""The rules of warranty receipts: which lines are kept, for how long, and returns."""

from datetime import UTC, date, datetime

from plussa_receipts.domain.enrolment import Enrolment
from plussa_receipts.domain.receipt import Purchase, PurchasedLine, WarrantyReceipt
from plussa_receipts.domain.search_text import fold
from plussa_receipts.domain.warranty import add_months, warranty_ends_on
from plussa_receipts.events.published import ReceiptSaved, ServiceTurnedOff, ServiceTurnedOn

NOW = datetime(2026, 1, 31, 12, 0, tzinfo=UTC)
CHAINS = frozenset({"k-citymarket", "k-supermarket", "k-market"})


def line(line_id: str, name: str, warranty: int | None, cents: int = 1000, quantity: int = 1) -> PurchasedLine:
    return PurchasedLine(line_id, f"p-{line_id}", name, quantity, cents, cents * quantity, warranty)


def purchase(*lines: PurchasedLine, at: datetime = NOW) -> Purchase:
    return Purchase(
        "pur-1", "person-1", "hh-1", "store-1", "K-Citymarket Ruoholahti", "k-citymarket", at, "1234", lines
    )


def test_a_month_added_to_the_last_day_of_january_lands_on_the_last_day_of_february() -> None:
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)
    assert add_months(date(2026, 11, 15), 14) == date(2028, 1, 15)


def test_only_lines_with_a_warranty_are_kept_and_the_receipt_lives_six_months_past_the_last_warranty() -> None:
    tv = line("1", 'Televisio 55"', 24, 79900)
    milk = line("2", "Maito 1 l", None, 129)
    cable = line("3", "HDMI-kaapeli", 6, 1990)

    receipt = WarrantyReceipt.keep(purchase(tv, milk, cable), receipt_id="r1", now=NOW, keep_months_after=6)

    assert receipt is not None
    assert [item.line_id for item in receipt.lines] == ["1", "3"]
    assert receipt.lines[0].warranty_ends_on == date(2028, 1, 31)
    assert receipt.lines[1].warranty_ends_on == date(2026, 7, 31)
    assert receipt.kept_until == date(2028, 7, 31)
    (saved,) = receipt.pull_events()
    assert isinstance(saved.data, ReceiptSaved)
    assert saved.data.lines_with_warranty == 2
    assert saved.subject == "person/person-1"


def test_a_purchase_without_warranty_lines_makes_no_receipt() -> None:
    assert (
        WarrantyReceipt.keep(
            purchase(line("1", "Maito", None), line("2", "Leipä", 0)), receipt_id="r", now=NOW, keep_months_after=6
        )
        is None
    )


def test_a_return_marks_the_line_returned_and_never_counts_more_than_was_bought() -> None:
    receipt = WarrantyReceipt.keep(
        purchase(line("1", "Kahvinkeitin", 12, quantity=2)), receipt_id="r", now=NOW, keep_months_after=6
    )
    assert receipt is not None

    assert receipt.mark_returned({"1": 1}) is True
    assert receipt.lines[0].returned is False
    assert receipt.mark_returned({"1": 5, "unknown": 1}) is True
    assert receipt.lines[0].returned_quantity == 2
    assert receipt.lines[0].returned is True
    assert receipt.mark_returned({"1": 1}) is False


def test_the_receipt_is_visible_until_and_including_its_last_day() -> None:
    receipt = WarrantyReceipt.keep(purchase(line("1", "Porakone", 24)), receipt_id="r", now=NOW, keep_months_after=6)
    assert receipt is not None
    assert receipt.is_visible(date(2028, 7, 31))
    assert not receipt.is_visible(date(2028, 8, 1))


def test_search_text_ignores_case_and_accents_of_finnish_and_swedish_names() -> None:
    receipt = WarrantyReceipt.keep(
        purchase(line("1", "ÄÄNIPALKKI Sony", 24), line("2", "Tvättmaskin Électrolux", 24)),
        receipt_id="r",
        now=NOW,
        keep_months_after=6,
    )
    assert receipt is not None
    assert fold("äänipalkki") in receipt.search_text
    assert fold("TVATTMASKIN") in receipt.search_text
    assert fold("electrolux") in receipt.search_text
    assert fold("Åbo") == "abo"


def test_purchases_are_saved_only_after_turning_the_service_on_and_only_in_the_chosen_chains() -> None:
    enrolment = Enrolment("person-1")
    assert not enrolment.saves(purchased_at=NOW, chain="k-citymarket", chains=CHAINS)

    assert enrolment.turn_on(NOW) is True
    assert enrolment.turn_on(NOW) is False
    assert enrolment.saves(purchased_at=NOW, chain="k-citymarket", chains=CHAINS)
    assert not enrolment.saves(purchased_at=NOW.replace(hour=11), chain="k-citymarket", chains=CHAINS)
    assert not enrolment.saves(purchased_at=NOW, chain="k-rauta", chains=CHAINS)

    assert enrolment.turn_off(NOW, receipts_deleted=3) is True
    assert not enrolment.saves(purchased_at=NOW, chain="k-citymarket", chains=CHAINS)
    events = [event.data for event in enrolment.pull_events()]
    assert [type(event) for event in events] == [ServiceTurnedOn, ServiceTurnedOff]
    assert enrolment.version == 2


def test_warranty_end_uses_the_purchase_day() -> None:
    assert warranty_ends_on(date(2026, 3, 15), 24) == date(2028, 3, 15)
