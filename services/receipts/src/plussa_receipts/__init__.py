"""The Plussa receipts service."""
