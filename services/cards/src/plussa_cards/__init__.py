"""The Plussa cards service."""
