from collections.abc import Iterator
from pathlib import Path

import pytest

from plussa_notifications.testing.smtp_sink import SmtpSink


@pytest.fixture
def smtp_sink(tmp_path: Path) -> Iterator[SmtpSink]:
    """A real SMTP server on a free loopback port keeping each message as a file."""
    sink = SmtpSink(tmp_path / "mail").start()
    yield sink
    sink.stop()
