"""The Plussa notifications service."""
