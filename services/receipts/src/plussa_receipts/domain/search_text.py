"""Searching receipts: text folded so that case and accents do not matter (Finnish and
Swedish names), and what a person searches by."""

import unicodedata
from dataclasses import dataclass
from datetime import date


def fold(text: str) -> str:
    """Lower case without accents: "Ääni-Televisio" and "aani-televisio" fold alike.

    Compatibility decomposition splits å, ä, ö and é into a base letter and a combining
    mark; dropping the marks leaves what a person types on any keyboard."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@dataclass(frozen=True)
class ReceiptQuery:
    """A person's search: product text (folded), store, and a date range (inclusive)."""

    person_id: str
    today: date
    text: str | None = None
    store_id: str | None = None
    purchased_from: date | None = None
    purchased_to: date | None = None
