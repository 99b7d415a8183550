"""structlog set-up: JSON lines in production, readable output on a terminal."""

import logging
import sys
from typing import Literal, TextIO

import structlog


def configure_logging(
    fmt: Literal["json", "console"] = "json",
    level: str = "INFO",
    *,
    stream: TextIO | None = None,
    cache_loggers: bool = True,
) -> None:
    """Configure structlog and the standard library logging to write one line per event.

    Context bound with ``structlog.contextvars.bind_contextvars`` (request id, event id)
    is merged into every line. Records from libraries that log through the standard
    library (aiohttp, aio-pika, pymongo) are rendered the same way, so in production
    every line on stdout is one JSON object. ``stream`` defaults to stdout;
    ``cache_loggers=False`` lets a test configure logging and undo it afterwards.
    """
    out = stream or sys.stdout
    timestamper = structlog.processors.TimeStamper(fmt="iso", utc=True)
    shared: list[structlog.types.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        timestamper,
    ]
    renderer: structlog.types.Processor
    if fmt == "console":
        renderer = structlog.dev.ConsoleRenderer(colors=out.isatty())
    else:
        shared.append(structlog.processors.format_exc_info)
        renderer = structlog.processors.JSONRenderer()
    structlog.configure(
        processors=[*shared, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelNamesMapping()[level]),
        logger_factory=structlog.PrintLoggerFactory(out),
        cache_logger_on_first_use=cache_loggers,
    )
    handler = logging.StreamHandler(out)
    handler.addFilter(SelfHealingBrokerNoise())
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=[structlog.stdlib.add_logger_name, *shared],
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
        )
    )
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level)
    # The access log is our own canonical line per request.
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    logging.getLogger("aio_pika").setLevel(logging.WARNING)
    logging.getLogger("aiormq").setLevel(logging.WARNING)
    logging.getLogger("pymongo").setLevel(logging.WARNING)


# What aio-pika and aiormq log, at warning or error level, while a robust connection
# loses its broker and reconnects: each is part of an outage the service rides out,
# which ``plussa_shared.outages`` reports once. (logger, start of the message format)
_SELF_HEALING = (
    ("aiormq.connection", "Unexpected connection close from remote"),
    ("aiormq.connection", "Cancelling cause reader exited abnormally"),
    ("aiormq.connection", "error when creating transport"),
    ("aio_pika.robust_connection", "Connection attempt to"),
    ("aio_pika.robust_connection", "Reconnect attempt failed"),
)
# A robust channel's close callback failing because its connection is already gone.
_CLOSED_CHANNEL_CALLBACK = ("aio_pika.tools", "Callback %r error")


class SelfHealingBrokerNoise(logging.Filter):
    """Turns the broker libraries' lines about a lost and restored connection into
    debug lines: shown at ``LOG_LEVEL=DEBUG``, dropped otherwise. Their other warnings
    and errors pass unchanged."""

    def filter(self, record: logging.LogRecord) -> bool:
        """False for a self-healing line when debug lines are not shown."""
        if not record.name.startswith(("aiormq", "aio_pika")) or not _self_healing(record):
            return True
        record.levelno, record.levelname = logging.DEBUG, "DEBUG"
        return logging.getLogger().isEnabledFor(logging.DEBUG)


def _self_healing(record: logging.LogRecord) -> bool:
    template = str(record.msg)
    if any(record.name == name and template.startswith(start) for name, start in _SELF_HEALING):
        return True
    name, start = _CLOSED_CHANNEL_CALLBACK
    return record.name == name and template.startswith(start) and "_on_close" in record.getMessage()
