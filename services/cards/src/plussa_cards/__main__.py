"""Run the cards service: `python -m plussa_cards`."""

from plussa_cards.app import create_app
from plussa_cards.settings import CardsSettings
from plussa_shared.app import run_service
from plussa_shared.logging import configure_logging


def main() -> None:
    """Read settings from the environment and serve until stopped."""
    settings = CardsSettings()
    configure_logging(settings.log_format, settings.log_level)
    run_service(settings, create_app(settings))


if __name__ == "__main__":
    main()
