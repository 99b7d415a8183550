"""The only code that touches the points service's collections: one repository per area."""

from plussa_points.store.collections import INDEXES
from plussa_points.store.ledger import Ledger
from plussa_points.store.members import Members
from plussa_points.store.money import Money
from plussa_points.store.pages import MonthPages
from plussa_points.store.person import PersonData
from plussa_points.store.purchases import PurchaseReads, Purchases
from plussa_points.store.rejected import RejectedPurchases
from plussa_points.store.views import Views
from plussa_shared.mongo import Database

__all__ = [
    "INDEXES",
    "Ledger",
    "Members",
    "Money",
    "MonthPages",
    "PersonData",
    "PurchaseReads",
    "Purchases",
    "RejectedPurchases",
    "Store",
    "Views",
]


class Store:
    """The points service's repositories over one database; ``page_size`` is the
    default page size, the size of the month pages kept ready (``MonthPages``)."""

    def __init__(self, db: Database, page_size: int) -> None:
        self.pages = MonthPages(db, page_size)
        self.ledger = Ledger(db, self.pages)
        self.purchases = Purchases(db)
        self.members = Members(db)
        self.money = Money(db)
        self.person = PersonData(db)
        self.views = Views(db)
        self.rejected = RejectedPurchases(db)
