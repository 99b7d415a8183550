"""MongoDB helpers: client lifecycle, transactions, indexes."""

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from contextvars import ContextVar
from typing import Any, TypeVar

import structlog
from pymongo import AsyncMongoClient, IndexModel
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.monitoring import ServerListener
from pymongo.read_concern import ReadConcern
from pymongo.write_concern import WriteConcern

log = structlog.get_logger(__name__)

T = TypeVar("T")
Document = dict[str, Any]
Session = AsyncClientSession
Database = AsyncDatabase[Document]


def create_client(url: str, *, app_name: str, listeners: Sequence[ServerListener] = ()) -> AsyncMongoClient[Document]:
    """A client with timezone-aware datetimes (stored UTC) and majority writes;
    ``listeners`` are pymongo monitoring listeners (``outages.MongoWatch``)."""
    return AsyncMongoClient(
        url,
        tz_aware=True,
        appname=app_name,
        w="majority",
        serverSelectionTimeoutMS=5_000,
        event_listeners=list(listeners),
    )


async def run_in_transaction(
    client: AsyncMongoClient[Document],
    work: Callable[[AsyncClientSession], Awaitable[T]],
) -> T:
    """Run ``work`` in one transaction and return its result.

    Uses the driver's ``with_transaction``, which retries the whole callback on a
    ``TransientTransactionError`` and the commit on ``UnknownTransactionCommitResult``,
    as the driver documentation prescribes. ``work`` must therefore be safe to run
    again: compute ids and times inside it or before it, never depend on a side effect
    outside the session.
    """
    async with client.start_session() as session:
        return await session.with_transaction(
            work,
            read_concern=ReadConcern("snapshot"),
            write_concern=WriteConcern("majority"),
        )


_ACTIVE_SESSION: ContextVar[Session | None] = ContextVar("plussa_active_session", default=None)


def active_session(client: AsyncMongoClient[Document]) -> Session | None:
    """The session of the transaction already running in this task on ``client``, if any.

    The consumer makes its transaction (the one recording the inbox id) the active
    one, so a use case it calls joins it instead of committing on its own.
    """
    session = _ACTIVE_SESSION.get()
    if session is None or session.client is not client or not session.in_transaction:
        return None
    return session


@contextlib.contextmanager
def activated(session: Session) -> Iterator[None]:
    """Make ``session``'s transaction the active one in this task while the block runs.

    Tasks started inside the block inherit it; start none that outlive the block.
    """
    token = _ACTIVE_SESSION.set(session)
    try:
        yield
    finally:
        _ACTIVE_SESSION.reset(token)


async def ensure_indexes(db: Database, indexes: dict[str, Sequence[IndexModel]]) -> None:
    """Create the given indexes per collection; a no-op for those that exist."""
    for collection, models in indexes.items():
        if models:
            await db[collection].create_indexes(list(models))


async def ensure_collections(db: Database, names: Sequence[str]) -> None:
    """Create collections up front: creating one inside a transaction can conflict."""
    existing = set(await db.list_collection_names())
    for name in names:
        if name not in existing:
            try:
                await db.create_collection(name)
            except Exception as exc:  # a concurrent start may have created it
                if "already exists" not in str(exc):
                    raise


async def ping(client: AsyncMongoClient[Document]) -> bool:
    """Whether the server answers."""
    try:
        await client.admin.command("ping")
    except Exception:
        return False
    return True


async def client_lifespan(
    url: str, app_name: str, listeners: Sequence[ServerListener] = ()
) -> AsyncIterator[AsyncMongoClient[Document]]:
    """Create a client, yield it, close it: the body of a ``cleanup_ctx``."""
    client = create_client(url, app_name=app_name, listeners=listeners)
    try:
        yield client
    finally:
        await client.close()
