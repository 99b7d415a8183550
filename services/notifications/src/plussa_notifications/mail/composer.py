"""Builds the MIME message for one rendered mail: plain text and HTML alternatives, and
for marketing the one-click unsubscribe headers of RFC 8058."""

from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

from plussa_notifications.mail.rendering import RenderedMail


def compose(
    mail: RenderedMail,
    *,
    message_id: str,
    to: str,
    sender: Address,
    at: datetime,
    unsubscribe_url: str | None = None,
) -> EmailMessage:
    """The message ready for SMTP. ``message_id`` becomes the Message-ID, so each stored
    message is one mail whatever the number of attempts."""
    message = EmailMessage()
    message["Subject"] = mail.subject
    message["From"] = sender
    message["To"] = to
    message["Date"] = format_datetime(at)
    message["Message-ID"] = f"<{message_id}@{sender.domain or 'plussa.fi'}>"
    message["Content-Language"] = mail.language
    if unsubscribe_url is not None:
        # RFC 8058: an https URI the mail client may POST "List-Unsubscribe=One-Click" to.
        message["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(mail.text)
    message.add_alternative(mail.html, subtype="html")
    return message
