"""The Plussa benefits service."""
