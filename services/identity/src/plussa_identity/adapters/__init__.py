"""The infrastructure identity's context holds: password hashing, signing keys, token signing
and opaque tokens. Use cases reach them through the context; the domain never does."""
