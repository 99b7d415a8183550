"""The Plussa identity service."""
