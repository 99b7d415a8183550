import pytest
from pydantic import ValidationError

from plussa_identity.settings import DEV_KEY_ENCRYPTION_SECRET, IdentitySettings


def test_production_refuses_to_start_without_a_key_encryption_secret() -> None:
    with pytest.raises(ValidationError, match="KEY_ENCRYPTION_SECRET"):
        IdentitySettings(environment="production")


def test_production_refuses_the_development_default_secret() -> None:
    with pytest.raises(ValidationError):
        IdentitySettings(environment="production", key_encryption_secret=DEV_KEY_ENCRYPTION_SECRET)  # type: ignore[arg-type]


def test_production_starts_with_a_long_secret_and_development_has_a_default() -> None:
    secret = "k" * 48
    production = IdentitySettings(environment="production", key_encryption_secret=secret)  # type: ignore[arg-type]
    assert production.key_secret == secret.encode()
    assert IdentitySettings(environment="development").key_secret == DEV_KEY_ENCRYPTION_SECRET.encode()


def test_every_service_answering_privacy_requests_is_a_participant_by_default_and_the_list_is_a_setting() -> None:
    assert IdentitySettings().privacy_participants == [
        "identity",
        "cards",
        "points",
        "benefits",
        "notifications",
        "receipts",
    ]
    assert IdentitySettings(privacy_participants=["identity", "cards"]).privacy_participants == ["identity", "cards"]


def test_the_end_users_address_comes_from_the_shared_trusted_proxies_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLUSSA_IDENTITY_TRUSTED_PROXIES", '["10.0.0.0/8"]')
    assert [str(n) for n in IdentitySettings().trusted_proxies] == ["10.0.0.0/8"]
    assert "trust_forwarded_for" not in IdentitySettings.model_fields
