"""Command-line jobs of the notifications service: ``python -m plussa_notifications.commands.<job>``."""
