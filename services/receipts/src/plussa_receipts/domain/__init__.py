"""The receipts rules: pure, no I/O; aggregates record their events, errors carry a kind."""
