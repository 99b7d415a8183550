import pytest

from plussa_identity.adapters.passwords import breached_passwords
from plussa_identity.domain.errors import BreachedPasswordError, WeakPasswordError
from plussa_identity.domain.password_policy import PasswordPolicy

POLICY = PasswordPolicy(min_length=12, max_length=64, breached=frozenset({"password1234", "salasana1234"}))


def test_a_long_uncommon_passphrase_is_accepted() -> None:
    POLICY.check("kesäinen mökkiranta 42", email="aino@example.fi")


def test_a_password_shorter_than_the_minimum_is_weak() -> None:
    with pytest.raises(WeakPasswordError) as caught:
        POLICY.check("Lyhyt1!")
    assert caught.value.extras["errors"] == [
        {"pointer": "/password", "code": "too_short", "detail": caught.value.detail}
    ]


def test_a_password_longer_than_the_maximum_is_refused() -> None:
    with pytest.raises(WeakPasswordError) as caught:
        POLICY.check("x1" * 40)
    assert caught.value.extras["errors"] == [
        {"pointer": "/password", "code": "too_long", "detail": caught.value.detail}
    ]


def test_a_breached_password_is_refused_whatever_its_case() -> None:
    with pytest.raises(BreachedPasswordError) as caught:
        POLICY.check("SalaSana1234", pointer="/new_password")
    assert [(e["pointer"], e["code"]) for e in caught.value.extras["errors"]] == [("/new_password", "breached")]


def test_a_password_of_one_repeated_character_is_weak() -> None:
    with pytest.raises(WeakPasswordError) as caught:
        POLICY.check("aaaaaaaaaaaaaaaa")
    assert caught.value.extras["errors"] == [
        {"pointer": "/password", "code": "repetitive", "detail": caught.value.detail}
    ]


def test_a_password_built_from_the_email_address_is_weak() -> None:
    with pytest.raises(WeakPasswordError) as caught:
        POLICY.check("aino.virtanen1", email="aino.virtanen@example.fi")
    assert caught.value.extras["errors"] == [
        {"pointer": "/password", "code": "from_email", "detail": caught.value.detail}
    ]


def test_the_bundled_breached_list_has_thousands_of_common_passwords() -> None:
    bundled = breached_passwords()
    assert len(bundled) > 2000
    assert {"password1234", "qwerty123456", "salasana123"} <= bundled
