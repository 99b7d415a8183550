"""The points service's use cases: async functions taking the context, one transaction each."""


def household(household_id: str) -> str:
    """The subject of an event about a household."""
    return f"household/{household_id}"
