"""The only code that touches the cards service's collections: the repository and its mappers."""

from plussa_cards.store.repository import INDEXES, CardsStore

__all__ = ["INDEXES", "CardsStore"]
