import pytest

pytest_plugins = ["plussa_shared.testing.plugin"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The longest tests first: the dev stack's (marked slow), then the end-to-end
    journeys, then the rest in their usual order. Workers running tests in parallel
    then share the long ones from the start instead of one worker ending the run
    alone on them."""
    items.sort(key=_length_class)


def _length_class(item: pytest.Item) -> int:
    if item.get_closest_marker("slow") is not None:
        return 0
    if "e2e" in item.path.parts:
        return 1
    return 2
