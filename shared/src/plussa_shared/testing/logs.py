"""The JSON lines a test's process logs, as production writes them (bound context merged)."""

import io
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import structlog

from plussa_shared.logging import configure_logging

Line = dict[str, Any]


class LogLines:
    """Every line the process logs (structlog and the libraries' stdlib loggers), as JSON."""

    def __init__(self, stream: io.StringIO) -> None:
        self._stream = stream

    def all(self) -> list[Line]:
        return [json.loads(line) for line in self._stream.getvalue().splitlines() if line.strip()]

    def at(self, level: str) -> list[Line]:
        return [line for line in self.all() if line["level"] == level]

    def named(self, event: str) -> list[Line]:
        return [line for line in self.all() if line["event"] == event]

    def about_event(self, event_id: str) -> list[Line]:
        return [line for line in self.all() if line.get("event_id") == event_id]


@contextmanager
def json_logs(level: str = "INFO") -> Iterator[LogLines]:
    """Log as production does (JSON, ``level``) into memory while inside; the default
    configuration is put back afterwards."""
    stream = io.StringIO()
    configure_logging("json", level, stream=stream, cache_loggers=False)
    try:
        yield LogLines(stream)
    finally:
        structlog.reset_defaults()
        logging.getLogger().handlers.clear()
        structlog.contextvars.clear_contextvars()
