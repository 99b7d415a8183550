"""The notifications rules: pure, no I/O; aggregates record their events, errors carry a kind."""
