"""Read-only queries of the receipts service that answer routes straight from the store,
skipping the domain (none yet)."""
