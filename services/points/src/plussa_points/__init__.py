"""The Plussa points service."""
