"""Identity's use cases: load, call the domain, save and add events in one transaction."""
