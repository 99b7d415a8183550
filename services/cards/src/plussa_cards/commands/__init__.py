"""The cards service's command-line jobs: ``python -m plussa_cards.commands.<job>``."""
