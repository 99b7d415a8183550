"""Command-line jobs of the benefits service: ``python -m plussa_benefits.commands.<job>``."""
