"""Serving a service's real application on loopback from a background thread, so that
blocking clients (a fuzzer's HTTP session, a script) can call it from a plain test."""

import asyncio
import threading
from collections.abc import Coroutine
from types import TracebackType
from typing import Any, TypeVar

from aiohttp import web

T = TypeVar("T")
START_TIMEOUT_S = 30.0


class LiveServer:
    """Runs ``app`` (its start-up and clean-up contexts included) on an event loop of
    its own thread, listening on ``127.0.0.1`` at a free port.

    ``with LiveServer(app) as server: requests.get(server.url + "/health/live")``.
    """

    def __init__(self, app: web.Application) -> None:
        self.app = app
        self.url = ""
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="live-server", daemon=True)
        self._runner = web.AppRunner(app, handle_signals=False, access_log=None)

    def __enter__(self) -> "LiveServer":
        self._thread.start()
        self.run(self._start(), timeout=START_TIMEOUT_S)
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        try:
            self.run(self._runner.cleanup(), timeout=START_TIMEOUT_S)
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=START_TIMEOUT_S)
            self._loop.close()

    async def _start(self) -> None:
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.url = f"http://{host}:{port}"

    def run(self, work: Coroutine[Any, Any, T], *, timeout: float = 10.0) -> T:
        """Run ``work`` on the server's loop (where its database and broker clients live)
        and return its result."""
        return asyncio.run_coroutine_threadsafe(work, self._loop).result(timeout)
