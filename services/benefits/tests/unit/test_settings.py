import pytest

from plussa_benefits.settings import BenefitsSettings


def test_the_benefits_settings_default_to_its_port_and_database(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PLUSSA_BENEFITS_PORT", raising=False)
    settings = BenefitsSettings()
    expected = ("benefits", 8084, "plussa_benefits")
    assert (settings.service_name, settings.port, settings.mongo_database) == expected
    assert settings.event_source == "/plussa/benefits"


def test_the_benefits_settings_read_their_own_environment_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLUSSA_BENEFITS_PORT", "9084")
    monkeypatch.setenv("PLUSSA_POINTS_PORT", "9083")
    assert BenefitsSettings().port == 9084
