"""Sends mail over SMTP with aiosmtplib and says what the answer means for the message.

A connection is kept open between messages and opened again when it drops. A
refusal with a 4xx code, a timeout or a server that is not there means "try again
later"; a 5xx code means the server will never take this message.
"""

import contextlib
from dataclasses import dataclass
from enum import StrEnum

import aiosmtplib
import structlog
from pydantic import SecretStr

from plussa_notifications.mail.composer import Envelope

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class SmtpConfig:
    """Where and how to reach the mail server."""

    host: str
    port: int
    starttls: bool
    username: str | None
    password: SecretStr | None
    timeout_s: float


class Outcome(StrEnum):
    """What became of one attempt."""

    SENT = "sent"
    RETRY = "retry"
    FAILED = "failed"


@dataclass(frozen=True)
class Delivery:
    """The outcome of one attempt and, unless sent, the server's reason."""

    outcome: Outcome
    reason: str = ""


class SmtpSender:
    """One SMTP connection, used for one message at a time."""

    def __init__(self, config: SmtpConfig) -> None:
        self._config = config
        self._client: aiosmtplib.SMTP | None = None

    async def send(self, mail: Envelope) -> Delivery:
        """Try to hand ``mail`` to the server once."""
        # An address with letters beyond ASCII (aino.mäkinen@...) travels only with SMTPUTF8.
        international = not (mail.sender + mail.to).isascii()
        try:
            client = await self._connected()
            await client.sendmail(mail.sender, [mail.to], mail.data, mail_options=["SMTPUTF8"] if international else [])
        except aiosmtplib.SMTPNotSupported as exc:
            await self._drop()
            return Delivery(Outcome.FAILED, f"the server cannot take this address: {str(exc)[:200]}")
        except aiosmtplib.SMTPRecipientsRefused as exc:
            codes = [r.code for r in exc.recipients]
            await self._drop()
            return _by_code(min(codes) if codes else 550, "; ".join(r.message for r in exc.recipients))
        except aiosmtplib.SMTPResponseException as exc:
            await self._drop()
            return _by_code(exc.code, exc.message)
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            await self._drop()
            return Delivery(Outcome.RETRY, f"{type(exc).__name__}: {str(exc)[:200]}")
        return Delivery(Outcome.SENT)

    async def close(self) -> None:
        """Say goodbye to the server, if connected."""
        if self._client is not None and self._client.is_connected:
            with contextlib.suppress(aiosmtplib.SMTPException, OSError):
                await self._client.quit()
        self._client = None

    async def _connected(self) -> aiosmtplib.SMTP:
        if self._client is not None and self._client.is_connected:
            return self._client
        config = self._config
        client = aiosmtplib.SMTP(
            hostname=config.host,
            port=config.port,
            start_tls=config.starttls,
            username=config.username,
            password=config.password.get_secret_value() if config.password else None,
            timeout=config.timeout_s,
        )
        await client.connect()
        self._client = client
        return client

    async def _drop(self) -> None:
        # After a refusal the session may be mid-transaction; a fresh one is simplest.
        client, self._client = self._client, None
        if client is not None:
            with contextlib.suppress(aiosmtplib.SMTPException, OSError):
                client.close()


def _by_code(code: int, message: str) -> Delivery:
    reason = f"{code} {message}".strip()[:300]
    if 400 <= code < 500:
        return Delivery(Outcome.RETRY, reason)
    return Delivery(Outcome.FAILED, reason)
