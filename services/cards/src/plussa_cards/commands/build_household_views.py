"""Build the portal's household read model for existing households:
`python -m plussa_cards.commands.build_household_views`.

Run once after deploying the read model: until a household's document exists,
``GET /v1/me/household`` reads the collections instead (the same answer, four reads), and
the household's next write builds it anyway. Running it again changes nothing.
"""

import asyncio

import structlog

from plussa_cards.commands import run_job
from plussa_cards.settings import CardsSettings
from plussa_cards.use_cases.read_models import build_household_views
from plussa_shared.logging import configure_logging

log = structlog.get_logger(__name__)


def main() -> None:
    """Read settings from the environment and build every household's document."""
    settings = CardsSettings()
    configure_logging(settings.log_format, settings.log_level)
    log.info("household_views_built", count=asyncio.run(run_job(settings, build_household_views)))


if __name__ == "__main__":
    main()
