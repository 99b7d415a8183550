"""The events of the benefits service: what it publishes and its own copies of what it reads."""
