"""The events of the notifications service: what it publishes and its own copies of what it reads."""
