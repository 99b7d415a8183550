"""Command-line jobs of the receipts service: ``python -m plussa_receipts.commands.<job>``."""
