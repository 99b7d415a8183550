"""A real SMTP server for tests and `make run` that keeps every message it accepts as
an .eml file in a folder (aiosmtpd, on a loopback port).

Tests can make it refuse (`refuse_with("550 ...")`), stall past a client's timeout
(`stall_for(seconds)`), or stop and start it again on the same port.

    python -m plussa_notifications.testing.smtp_sink --port 8025 --dir var/mail
"""

import argparse
import asyncio
import itertools
import socket
import threading
import time
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


class _KeepAsFiles:
    """aiosmtpd handler: writes each accepted message to ``folder`` unless told otherwise."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.refusal: str | None = None
        self.refusals_left: int | None = None
        self.stall_s = 0.0
        self.unknown_recipients: set[str] = set()
        self.kept = 0
        self._numbers = itertools.count(1)
        self._lock = threading.Lock()

    async def handle_RCPT(  # noqa: N802
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        if address in self.unknown_recipients:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        if self.stall_s:
            await asyncio.sleep(self.stall_s)
            # The client has given up by now; a server that stalled does not keep the mail.
            return "451 4.3.0 Timed out, try again later"
        with self._lock:
            if self.refusal is not None and self.refusals_left != 0:
                if self.refusals_left is not None:
                    self.refusals_left -= 1
                return self.refusal
            number = next(self._numbers)
        content = envelope.original_content or b""
        name = f"{time.time_ns()}-{number:06d}.eml"
        partial = self.folder / f".{name}.part"
        partial.write_bytes(content)
        partial.rename(self.folder / name)  # whole files only, for readers polling the folder
        with self._lock:
            self.kept += 1
        return "250 2.0.0 OK: kept"


class SmtpSink:
    """The sink server; ``start``/``stop`` as often as a test likes, always on ``port``."""

    def __init__(self, folder: Path, *, host: str = "127.0.0.1", port: int | None = None) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.host = host
        self.port = port or free_port(host)
        self._handler = _KeepAsFiles(self.folder)
        self._controller: Controller | None = None

    def start(self) -> "SmtpSink":
        """Listen (again)."""
        if self._controller is None:
            controller = Controller(
                self._handler, hostname=self.host, port=self.port, enable_SMTPUTF8=True, ready_timeout=10
            )
            controller.start()
            self._controller = controller
        return self

    def stop(self) -> None:
        """Stop listening; connections are refused until ``start``."""
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def running(self) -> bool:
        """Whether it listens now."""
        return self._controller is not None

    def refuse_with(self, reply: str | None, times: int | None = None) -> None:
        """Answer DATA with ``reply`` (e.g. "550 5.7.1 Refused"), ``times`` times or until cleared."""
        self._handler.refusal = reply
        self._handler.refusals_left = times

    def refuse_recipient(self, address: str) -> None:
        """Answer RCPT TO for ``address`` with 550 (no such user)."""
        self._handler.unknown_recipients.add(address)

    def stall_for(self, seconds: float) -> None:
        """Take ``seconds`` before answering DATA, then refuse for now (0: answer at once)."""
        self._handler.stall_s = seconds

    @property
    def kept(self) -> int:
        """How many messages were kept since this sink was made (cheaper than listing the folder)."""
        return self._handler.kept

    def files(self) -> list[Path]:
        """Every message kept so far, oldest first."""
        return sorted(self.folder.glob("*.eml"))

    def messages(self) -> list[EmailMessage]:
        """Every message kept so far, parsed."""
        parser = BytesParser(policy=policy.default)
        return [parser.parsebytes(path.read_bytes()) for path in self.files()]

    async def wait_for(self, count: int, *, timeout: float = 10.0) -> list[EmailMessage]:
        """Wait until at least ``count`` messages arrived; fail after ``timeout``."""
        deadline = time.monotonic() + timeout
        while len(self.files()) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"{count} mails not at the sink in {timeout}s; got {len(self.files())}")
            await asyncio.sleep(0.05)
        return self.messages()

    def __enter__(self) -> "SmtpSink":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()


def main() -> None:
    """Run the sink in the foreground until interrupted."""
    parser = argparse.ArgumentParser(description="Local SMTP server that keeps every message as a file.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8025)
    parser.add_argument("--dir", default="var/mail")
    args = parser.parse_args()
    sink = SmtpSink(Path(args.dir), host=args.host, port=args.port).start()
    print(f"SMTP sink on {args.host}:{args.port}; mail lands in {Path(args.dir).resolve()}", flush=True)  # noqa: T201
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        sink.stop()


if __name__ == "__main__":
    main()
