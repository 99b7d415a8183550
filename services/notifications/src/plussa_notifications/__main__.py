"""Run the notifications service: `python -m plussa_notifications`."""

from plussa_notifications.app import create_app
from plussa_notifications.settings import NotificationsSettings
from plussa_shared.app import run_service
from plussa_shared.logging import configure_logging


def main() -> None:
    """Read settings from the environment and serve until stopped."""
    settings = NotificationsSettings()
    configure_logging(settings.log_format, settings.log_level)
    run_service(settings, create_app(settings))


if __name__ == "__main__":
    main()
