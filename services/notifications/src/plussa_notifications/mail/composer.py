"""Builds the MIME message for one rendered mail: plain text and HTML alternatives, and
for marketing the one-click unsubscribe headers of RFC 8058.

Built with the ``email.mime`` classes (the compat32 policy): the modern ``EmailMessage``
API parses every header it is given and takes several milliseconds per mail, which
dominates a large campaign; these headers are all produced here, never parsed.
"""

import io
from dataclasses import dataclass
from datetime import datetime
from email.generator import BytesGenerator
from email.header import Header
from email.headerregistry import Address
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.policy import Compat32
from email.utils import format_datetime, formataddr

from plussa_notifications.mail.rendering import RenderedMail


class _WirePolicy(Compat32):
    """Writes headers as they are: every header is made here, ASCII (the subject is
    RFC 2047-encoded) and well under SMTP's 998-octet line limit, so there is nothing to
    fold; folding was most of the cost of writing a mail out."""

    def fold_binary(self, name: str, value: str) -> bytes:
        try:
            return f"{name}: {value}{self.linesep}".encode("ascii")
        except UnicodeEncodeError:
            return super().fold_binary(name, value)


_WIRE = _WirePolicy(linesep="\r\n")


@dataclass(frozen=True)
class Envelope:
    """A mail as SMTP carries it: sender, recipient and the message's bytes."""

    sender: str
    to: str
    data: bytes


def compose(
    mail: RenderedMail,
    *,
    message_id: str,
    to: str,
    sender: Address,
    at: datetime,
    unsubscribe_url: str | None = None,
) -> MIMEMultipart:
    """The message ready for SMTP. ``message_id`` becomes the Message-ID, so each stored
    message is one mail whatever the number of attempts."""
    # Our own boundary: "=_" never occurs in base64 parts, and the generator then has no
    # need to search the parts for a safe one.
    message = MIMEMultipart("alternative", boundary=f"=_plussa_{message_id}")
    message["Subject"] = Header(mail.subject, "utf-8").encode()
    message["From"] = formataddr((sender.display_name, sender.addr_spec))
    message["To"] = to
    message["Date"] = format_datetime(at)
    message["Message-ID"] = f"<{message_id}@{sender.domain or 'plussa.fi'}>"
    message["Content-Language"] = mail.language
    if unsubscribe_url is not None:
        # RFC 8058: an https URI the mail client may POST "List-Unsubscribe=One-Click" to.
        message["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.attach(MIMEText(mail.text, "plain", "utf-8"))
    message.attach(MIMEText(mail.html, "html", "utf-8"))
    return message


def envelope(message: MIMEMultipart, *, sender: Address, to: str) -> Envelope:
    """The SMTP envelope and wire bytes of ``message``."""
    out = io.BytesIO()
    BytesGenerator(out, policy=_WIRE).flatten(message)
    return Envelope(sender=sender.addr_spec, to=to, data=out.getvalue())
