from datetime import UTC, datetime
from email.headerregistry import Address

import pytest

from plussa_notifications.domain.messages import MessageKind
from plussa_notifications.mail.composer import compose
from plussa_notifications.mail.rendering import LANGUAGES, Renderer

SAMPLE = {
    "first_name": "Aino",
    "last4": "1234",
    "occurred_at": "2026-11-30T10:00:00+00:00",
    "expires_at": "2027-12-04",
    "holder_name": "Eino",
    "cents": 123456,
    "month": "2026-10",
    "product_name": "Porakone",
    "store_name": "K-Rauta Lielahti",
    "warranty_until": "2028-11-30",
    "chain_name": "K-Citymarket",
    "title": "Joulukinkku -20 %",
    "text": "Vain tällä viikolla.",
    "valid_until": "2026-12-24T00:00:00+00:00",
}


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    return Renderer()


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_kind_renders_in_every_language_as_text_and_html(renderer: Renderer, language: str) -> None:
    assert renderer.kinds(language) == {k.value for k in MessageKind}
    for kind in MessageKind:
        mail = renderer.render(kind, language, SAMPLE, action_url="https://oma.plussa.fi/x")

        assert mail.subject
        assert "\n" not in mail.subject
        assert mail.text.strip()
        assert "<p>" not in mail.text
        assert mail.html.startswith("<!DOCTYPE html>")
        assert f'lang="{language}"' in mail.html


def test_the_language_chooses_the_words_and_the_money_and_date_formats(renderer: Renderer) -> None:
    fi = renderer.render("money_paid", "fi", SAMPLE)
    sv = renderer.render("money_paid", "sv", SAMPLE)
    en = renderer.render("money_paid", "en", SAMPLE)

    assert "Taloudellesi on maksettu 1\xa0234,56\xa0€" in fi.text
    assert "4. joulukuuta 2027" in fi.text
    assert "lokakuu 2026" in fi.text
    assert "Ditt hushåll har fått 1\xa0234,56\xa0€" in sv.text
    assert "4 december 2027" in sv.text
    assert "Your household has been paid" in en.text
    assert "4 December 2027" in en.text
    assert (fi.language, sv.language, en.language) == ("fi", "sv", "en")


def test_a_language_the_programme_does_not_speak_falls_back_to_finnish(renderer: Renderer) -> None:
    mail = renderer.render("card_ordered", "de", SAMPLE)

    assert mail.language == "fi"
    assert mail.subject == "Plussa-korttisi on tilattu"


def test_html_in_a_name_is_escaped_in_the_html_part_and_kept_as_written_in_the_text_part(renderer: Renderer) -> None:
    data = {**SAMPLE, "first_name": "<b>Aino</b>", "holder_name": '<script>alert("x")</script>'}

    mail = renderer.render("parallel_card_ordered", "en", data)

    assert "<script>" not in mail.html
    assert "<b>Aino" not in mail.html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in mail.html
    assert "&lt;b&gt;Aino&lt;/b&gt;" in mail.html
    assert '<script>alert("x")</script>' in mail.text


def test_a_marketing_mail_carries_the_one_click_unsubscribe_headers_and_link(renderer: Renderer) -> None:
    url = "https://api.plussa.fi/v1/unsubscribe/p1/k-citymarket?token=abc&x=1"
    mail = renderer.render("offer", "en", SAMPLE, unsubscribe_url=url)

    message = compose(
        mail,
        message_id="m1",
        to="aino@example.fi",
        sender=Address("K-Plussa", "noreply", "plussa.fi"),
        at=datetime(2026, 11, 30, tzinfo=UTC),
        unsubscribe_url=url,
    )

    assert message["List-Unsubscribe"] == f"<{url}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["Message-ID"] == "<m1@plussa.fi>"
    assert url in mail.text
    assert url.replace("&", "&amp;") in mail.html
    assert [part.get_content_type() for part in message.get_payload()] == ["text/plain", "text/html"]


def test_a_service_message_has_no_unsubscribe_header(renderer: Renderer) -> None:
    mail = renderer.render("card_blocked", "fi", SAMPLE)

    message = compose(
        mail,
        message_id="m2",
        to="aino@example.fi",
        sender=Address("K-Plussa", "noreply", "plussa.fi"),
        at=datetime(2026, 11, 30, tzinfo=UTC),
    )

    assert message["List-Unsubscribe"] is None
    assert "Stop e-mail" not in mail.text
