import pytest

from plussa_notifications.settings import NotificationsSettings


def test_the_notifications_settings_default_to_its_port_and_database(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PLUSSA_NOTIFICATIONS_PORT", raising=False)
    settings = NotificationsSettings()
    assert (settings.service_name, settings.port, settings.mongo_database) == (
        "notifications",
        8085,
        "plussa_notifications",
    )
    assert settings.event_source == "/plussa/notifications"


def test_the_notifications_settings_read_their_own_environment_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLUSSA_NOTIFICATIONS_PORT", "9085")
    monkeypatch.setenv("PLUSSA_POINTS_PORT", "9083")
    assert NotificationsSettings().port == 9085
