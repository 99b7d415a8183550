"""A warranty receipt as a printable PDF (fpdf2): what a shop needs to honour the warranty.

The text is drawn with a Unicode TrueType font when one is installed (DejaVu Sans, from
Debian's fonts-dejavu-core), so product names in any script print as they are; without
it the PDF core font is used and characters outside Latin-1 print as "?"."""

import atexit
import shutil
import tempfile
import threading
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from plussa_receipts.domain.receipt import WarrantyReceipt
from plussa_shared.languages import Language

FONT_DIRECTORIES = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))
REGULAR, BOLD = "DejaVuSans.ttf", "DejaVuSans-Bold.ttf"


@dataclass(frozen=True)
class Labels:
    """The printed words in one language."""

    title: str
    store: str
    purchased: str
    reference: str
    card: str
    product: str
    quantity: str
    price: str
    warranty_ends: str
    returned: str
    kept_until: str


LABELS: dict[Language, Labels] = {
    Language.FI: Labels(
        "Takuukuitti",
        "Kauppa",
        "Ostettu",
        "Ostotunniste",
        "Kortti",
        "Tuote",
        "Määrä",
        "Hinta",
        "Takuu päättyy",
        "palautettu",
        "Kuitti näkyy palvelussa",
    ),
    Language.SV: Labels(
        "Garantikvitto",
        "Butik",
        "Köpt",
        "Köpreferens",
        "Kort",
        "Produkt",
        "Antal",
        "Pris",
        "Garantin upphör",
        "returnerad",
        "Kvittot visas i tjänsten till",
    ),
    Language.EN: Labels(
        "Warranty receipt",
        "Store",
        "Purchased",
        "Purchase reference",
        "Card",
        "Product",
        "Quantity",
        "Price",
        "Warranty ends",
        "returned",
        "Kept in the service until",
    ),
}


def euros(cents: int, language: Language) -> str:
    """Cents as euros the way the language writes them: 1 299,00 € or €1,299.00."""
    whole, part = divmod(cents, 100)
    if language == Language.EN:
        return f"€{whole:,}.{part:02d}"
    return f"{whole:,}".replace(",", "\u00a0") + f",{part:02d} €"


def day(value: date, language: Language) -> str:
    """A calendar date as the language writes it."""
    return value.isoformat() if language == Language.EN else f"{value.day}.{value.month}.{value.year}"


# What receipts print: Latin with its extensions, Greek, Cyrillic, punctuation, currency
# and letter-like symbols. Fonts cut to these parse about five times faster per PDF.
PRINTED = [
    *range(0x20, 0x250),
    *range(0x370, 0x530),
    *range(0x2000, 0x2070),
    *range(0x20A0, 0x20D0),
    *range(0x2100, 0x2200),
    0x2713,
]


def find_font(directories: tuple[Path, ...] = FONT_DIRECTORIES) -> Path | None:
    """The first directory of ``directories`` holding DejaVu Sans, regular and bold."""
    return next((d for d in directories if (d / REGULAR).is_file() and (d / BOLD).is_file()), None)


def cut_fonts(source: Path, target: Path) -> Path:
    """Copies of the regular and bold font in ``target`` holding only the printed characters."""
    for name in (REGULAR, BOLD):
        font = TTFont(source / name)
        options = subset.Options()
        options.layout_features, options.hinting, options.name_IDs = [], False, ["*"]
        options.drop_tables += ["FFTM"]  # FontForge's timestamps: nothing to print, and unsubsettable
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=PRINTED)
        subsetter.subset(font)
        font.save(target / name)
    return target


class ReceiptPdf:
    """Renders receipts with the DejaVu Sans of directory ``font``, or the core font when None."""

    def __init__(self, font: Path | None, *, cut: bool = False) -> None:
        self._source = font
        self._cut = cut
        self._font: Path | None = None if cut else font
        self._cutting = threading.Lock()

    @classmethod
    def installed(cls) -> "ReceiptPdf":
        """A renderer with the Unicode font this machine has, if any, cut to what receipts
        print when the first PDF is made (in a temporary folder removed at exit)."""
        return cls(find_font(), cut=True)

    @property
    def unicode(self) -> bool:
        """Whether names outside Latin-1 print as they are."""
        return self._source is not None

    def _ready_font(self) -> Path | None:
        with self._cutting:  # renders run in worker threads; the first one cuts
            if self._font is None and self._cut and self._source is not None:
                folder = Path(tempfile.mkdtemp(prefix="plussa-receipts-fonts-"))
                atexit.register(shutil.rmtree, folder, ignore_errors=True)
                self._font = cut_fonts(self._source, folder)
        return self._font

    def render(self, receipt: WarrantyReceipt, language: Language) -> bytes:
        """The PDF document of ``receipt`` in ``language``."""
        words = LABELS[language]
        pdf = FPDF(format="A4")
        pdf.set_title(f"{words.title} {receipt.purchase_id}")
        pdf.set_creator("Oma Plussa")
        pdf.add_page()
        family = self._use_font(pdf)
        pdf.set_font(family, size=18)
        self._line(pdf, words.title, 10)
        pdf.set_font(family, size=11)
        local_time = receipt.purchased_at.strftime("%H:%M")
        for label, value in (
            (words.store, f"{receipt.store_name or receipt.store_id} ({receipt.chain})"),
            (words.purchased, f"{day(receipt.purchased_at.date(), language)} {local_time} UTC"),
            (words.reference, receipt.purchase_id),
            (words.card, f"**** **** **** {receipt.card_last4}"),
        ):
            self._line(pdf, f"{label}: {value}", 7)
        pdf.ln(4)
        with pdf.table(col_widths=(70, 20, 40, 50), text_align=("LEFT", "RIGHT", "RIGHT", "RIGHT")) as table:
            header = table.row()
            for text in (words.product, words.quantity, words.price, words.warranty_ends):
                header.cell(self._printable(text))
            for line in receipt.lines:
                row = table.row()
                name = f"{line.name} ({words.returned})" if line.returned else line.name
                row.cell(self._printable(name))
                row.cell(str(line.quantity))
                row.cell(self._printable(euros(line.amount_cents, language)))
                row.cell(day(line.warranty_ends_on, language))
        pdf.ln(4)
        self._line(pdf, f"{words.kept_until} {day(receipt.kept_until, language)}", 7)
        return bytes(pdf.output())

    def _use_font(self, pdf: FPDF) -> str:
        font = self._ready_font()
        if font is None:
            return "Helvetica"
        pdf.add_font("DejaVu", fname=str(font / REGULAR))
        pdf.add_font("DejaVu", style="B", fname=str(font / BOLD))
        return "DejaVu"

    def _line(self, pdf: FPDF, text: str, height: float) -> None:
        pdf.cell(0, height, self._printable(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def _printable(self, text: str) -> str:
        if self.unicode:
            return text
        return text.replace("€", "EUR").replace("\u2013", "-").encode("latin-1", "replace").decode("latin-1")
