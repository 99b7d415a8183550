"""What a service's database still holds about an erased person, and the late card versions
that must not bring anything of them back, for the tests of erasure."""

from collections.abc import Iterable
from typing import Any

import pytest

from plussa_shared.mongo import Database

LEFT_OUT = frozenset({"outbox"})
"""The outbox is left out: the erasure's own answer names the person until it is sent
(a sent record keeps neither envelope nor subject)."""


async def documents_naming(db: Database, needles: Iterable[str], *, skip: Iterable[str] = LEFT_OUT) -> list[str]:
    """Each document of ``db``'s collections (but ``skip``) whose text holds any of
    ``needles``, as ``"collection: document"``; empty when nothing names them."""
    wanted, skipped = tuple(needles), set(skip)
    found = []
    for name in sorted(set(await db.list_collection_names()) - skipped):
        found += [f"{name}: {doc}" async for doc in db[name].find() if any(n in str(doc) for n in wanted)]
    return found


LATE_VERSIONS = pytest.mark.parametrize("names_holder", [True, False], ids=["naming-the-holder", "naming-no-holder"])
"""Parametrises a test with ``names_holder``: the erased person's card version arriving late
names them, or nobody (from before the card was given to them); neither may bring it back."""


def late_version(card: dict[str, Any], names_holder: bool, **changes: Any) -> dict[str, Any]:
    """The card snapshot ``card`` with ``changes``, delivered late: naming its holder as it
    did, or (``names_holder`` false) the version 0 from before it had one."""
    return card | changes | ({} if names_holder else {"person_id": None, "version": 0})
