"""Read-only queries of the benefits service that answer routes straight from the store,
skipping the domain (none yet)."""
