"""Search text folded so that case and accents do not matter (Finnish and Swedish names)."""

import unicodedata


def fold(text: str) -> str:
    """Lower case without accents: "Ääni-Televisio" and "aani-televisio" fold alike.

    Compatibility decomposition splits å, ä, ö and é into a base letter and a combining
    mark; dropping the marks leaves what a person types on any keyboard."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))
