"""Test and local-development helpers of the notifications service (not used in production)."""
