"""The receipts service's use cases: one module per area; async functions taking the
context, each running its work in one transaction through ``ctx.run``."""
