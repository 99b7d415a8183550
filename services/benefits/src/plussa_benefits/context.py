"""The benefits service's context: settings, stores, the catalogue cache, clock."""

from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from plussa_benefits.domain.offers import OfferLimits
from plussa_benefits.settings import BenefitsSettings
from plussa_benefits.showcase import Showcase
from plussa_benefits.store import BenefitsStore
from plussa_benefits.store.catalogue import CatalogueCache
from plussa_benefits.store.ledger import Ledger
from plussa_benefits.store.sponsorship import SponsorshipStore
from plussa_shared.context import ServiceContext


@dataclass
class BenefitsContext(ServiceContext[BenefitsSettings]):
    """Everything a benefits use case needs; built once per process."""

    store: BenefitsStore = field(init=False)
    ledger: Ledger = field(init=False)
    sponsorship: SponsorshipStore = field(init=False)
    catalogue: CatalogueCache = field(init=False)
    showcase: Showcase = field(init=False)
    zone: ZoneInfo = field(init=False)
    limits: OfferLimits = field(init=False)
    not_eligible: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        self.store = BenefitsStore(self.db)
        self.ledger = Ledger(self.db)
        self.sponsorship = SponsorshipStore(self.db)
        self.catalogue = CatalogueCache(self.store, self.settings.catalogue_refresh_s)
        self.showcase = Showcase()
        self.zone = self.settings.zone
        self.limits = self.settings.offer_limits()
        self.not_eligible = frozenset(self.settings.not_eligible_categories)
