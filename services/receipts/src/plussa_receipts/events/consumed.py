"""The receipts service's own copies of the events it reads (none yet)."""
