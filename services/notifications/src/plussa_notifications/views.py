"""Read-only queries of the notifications service that answer routes straight from the store,
skipping the domain (none yet)."""
