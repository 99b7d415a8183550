"""The printable receipt: a real PDF with what a shop needs, in the person's language."""

from datetime import UTC, datetime
from pathlib import Path

from pypdf import PdfReader

from plussa_receipts.documents import ReceiptPdf, euros, find_font
from plussa_receipts.domain.receipt import Purchase, PurchasedLine, WarrantyReceipt
from plussa_shared.languages import Language

NOW = datetime(2026, 3, 14, 15, 30, tzinfo=UTC)


def receipt(name: str) -> WarrantyReceipt:
    lines = (PurchasedLine("1", "tv-55", name, 1, 79900, 79900, 24),)
    purchase = Purchase(
        "pur-77", "person-1", "hh", "store-1", "K-Citymarket Ruoholahti", "k-citymarket", NOW, "4321", lines
    )
    made = WarrantyReceipt.keep(purchase, receipt_id="r1", now=NOW, keep_months_after=6)
    assert made is not None
    return made


def text_of(document: bytes, tmp_path: Path) -> str:
    path = tmp_path / "receipt.pdf"
    path.write_bytes(document)
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def test_the_pdf_shows_store_date_product_price_warranty_end_and_reference_in_swedish(tmp_path: Path) -> None:
    document = ReceiptPdf.installed().render(receipt("Televisio 55"), Language.SV)

    assert document.startswith(b"%PDF-")
    text = text_of(document, tmp_path)
    for expected in (
        "Garantikvitto",
        "K-Citymarket Ruoholahti",
        "14.3.2026",
        "Televisio 55",
        "799,00",
        "14.3.2028",
        "pur-77",
        "4321",
    ):
        assert expected in text


def test_a_product_name_outside_latin_1_prints_as_it_is_with_the_unicode_font(tmp_path: Path) -> None:
    assert find_font() is not None, "fonts-dejavu-core is installed by make (scripts/ensure_fonts.py)"
    document = ReceiptPdf.installed().render(receipt("Телевизор Ω 55 \u2013 ✓"), Language.EN)

    assert "Телевизор Ω 55" in text_of(document, tmp_path)


def test_without_a_unicode_font_the_pdf_is_still_made_with_unknown_characters_replaced(tmp_path: Path) -> None:
    document = ReceiptPdf(font=None).render(receipt("Телевизор Åbo"), Language.FI)

    text = text_of(document, tmp_path)
    assert "Takuukuitti" in text
    assert "Åbo" in text
    assert "?" in text


def test_euros_are_written_the_finnish_and_english_way() -> None:
    assert euros(129999, Language.FI) == "1\u00a0299,99 €"
    assert euros(5, Language.EN) == "€0.05"
