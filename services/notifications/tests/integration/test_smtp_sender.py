from datetime import UTC, datetime
from email.headerregistry import Address

from plussa_notifications.mail.composer import Envelope, compose, envelope
from plussa_notifications.mail.rendering import Renderer
from plussa_notifications.mail.smtp import Outcome, SmtpConfig, SmtpSender
from plussa_notifications.testing.smtp_sink import SmtpSink


def sender_for(sink: SmtpSink, timeout_s: float = 2.0) -> SmtpSender:
    return SmtpSender(SmtpConfig("127.0.0.1", sink.port, False, None, None, timeout_s))


def a_mail(message_id: str = "m1") -> Envelope:
    rendered = Renderer().render("card_blocked", "fi", {"last4": "1234", "occurred_at": "2026-11-30T10:00:00+00:00"})
    sender = Address("K-Plussa", "noreply", "plussa.fi")
    mime = compose(rendered, message_id=message_id, to="aino@example.fi", sender=sender, at=datetime.now(UTC))
    return envelope(mime, sender=sender, to="aino@example.fi")


async def test_a_mail_the_server_accepts_arrives_at_the_sink_as_sent(smtp_sink: SmtpSink) -> None:
    sender = sender_for(smtp_sink)

    delivery = await sender.send(a_mail())
    await sender.close()

    arrived = await smtp_sink.wait_for(1)
    assert delivery.outcome is Outcome.SENT
    assert arrived[0]["Message-ID"] == "<m1@plussa.fi>"
    assert arrived[0]["Subject"] == "Plussa-korttisi on suljettu"


async def test_a_5xx_answer_fails_the_mail_with_the_servers_reason(smtp_sink: SmtpSink) -> None:
    smtp_sink.refuse_with("550 5.1.1 Mailbox unavailable")
    sender = sender_for(smtp_sink)

    delivery = await sender.send(a_mail())
    await sender.close()

    assert delivery.outcome is Outcome.FAILED
    assert delivery.reason == "550 5.1.1 Mailbox unavailable"
    assert smtp_sink.files() == []


async def test_a_4xx_answer_means_try_again_later(smtp_sink: SmtpSink) -> None:
    smtp_sink.refuse_with("451 4.3.0 Busy", times=1)
    sender = sender_for(smtp_sink)

    first = await sender.send(a_mail())
    second = await sender.send(a_mail())
    await sender.close()

    assert (first.outcome, first.reason) == (Outcome.RETRY, "451 4.3.0 Busy")
    assert second.outcome is Outcome.SENT
    assert len(smtp_sink.files()) == 1


async def test_a_server_that_is_down_or_too_slow_means_try_again_later(smtp_sink: SmtpSink) -> None:
    sender = sender_for(smtp_sink, timeout_s=0.5)
    smtp_sink.stop()
    down = await sender.send(a_mail())
    smtp_sink.start()
    smtp_sink.stall_for(2.0)
    slow = await sender.send(a_mail())
    smtp_sink.stall_for(0)
    back = await sender.send(a_mail())
    await sender.close()

    assert down.outcome is Outcome.RETRY
    assert "Connect" in down.reason
    assert slow.outcome is Outcome.RETRY
    assert "Timeout" in slow.reason
    assert back.outcome is Outcome.SENT
    assert len(smtp_sink.files()) == 1


async def test_an_unknown_recipient_refused_at_rcpt_fails_the_mail(smtp_sink: SmtpSink) -> None:
    smtp_sink.refuse_recipient("aino@example.fi")
    sender = sender_for(smtp_sink)

    delivery = await sender.send(a_mail())
    await sender.close()

    assert delivery.outcome is Outcome.FAILED
    assert delivery.reason.startswith("550 ")
    assert smtp_sink.files() == []
