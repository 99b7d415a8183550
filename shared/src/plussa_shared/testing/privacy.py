"""What a service's database still holds about an erased person, for the tests of erasure."""

from collections.abc import Iterable

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
