"""The events of the receipts service: what it publishes and its own copies of what it reads."""
