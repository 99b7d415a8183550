import pytest

from plussa_receipts.settings import ReceiptsSettings


def test_the_receipts_settings_default_to_its_port_and_database(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PLUSSA_RECEIPTS_PORT", raising=False)
    settings = ReceiptsSettings()
    expected = ("receipts", 8086, "plussa_receipts")
    assert (settings.service_name, settings.port, settings.mongo_database) == expected
    assert settings.event_source == "/plussa/receipts"


def test_the_receipts_settings_read_their_own_environment_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLUSSA_RECEIPTS_PORT", "9086")
    monkeypatch.setenv("PLUSSA_POINTS_PORT", "9083")
    assert ReceiptsSettings().port == 9086
