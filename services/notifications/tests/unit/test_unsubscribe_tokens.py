from datetime import UTC, datetime, timedelta

import jwt
import pytest

from plussa_notifications.domain.errors import UnsubscribeTokenInvalidError
from plussa_notifications.mail.unsubscribe import UnsubscribeClaim, UnsubscribeTokens

SECRET = "s" * 40
NOW = datetime(2026, 11, 30, 9, tzinfo=UTC)
CLAIM = UnsubscribeClaim(person_id="p1", chain_id="k-citymarket", token_id="t1")


def tokens(secret: str = SECRET) -> UnsubscribeTokens:
    return UnsubscribeTokens(secret, lifetime=timedelta(days=60))


def test_a_token_reads_back_as_the_person_chain_and_id_it_was_issued_for() -> None:
    assert tokens().read(tokens().issue(CLAIM, NOW), NOW) == CLAIM


def test_a_token_signed_with_another_key_is_refused() -> None:
    forged = tokens("f" * 40).issue(CLAIM, NOW)

    with pytest.raises(UnsubscribeTokenInvalidError):
        tokens().read(forged, NOW)


def test_a_token_whose_person_was_changed_is_refused() -> None:
    header, _, signature = tokens().issue(CLAIM, NOW).split(".")
    other = jwt.encode({"sub": "p2", "chain": "k-citymarket", "jti": "t1"}, "x" * 40, algorithm="HS256")
    tampered = ".".join([header, other.split(".")[1], signature])

    with pytest.raises(UnsubscribeTokenInvalidError):
        tokens().read(tampered, NOW)


def test_an_unsigned_token_is_refused() -> None:
    unsigned = jwt.encode({"sub": "p1", "chain": "k-citymarket", "jti": "t1"}, None, algorithm="none")

    with pytest.raises(UnsubscribeTokenInvalidError):
        tokens().read(unsigned, NOW)


def test_an_expired_token_is_refused() -> None:
    token = tokens().issue(CLAIM, NOW)

    with pytest.raises(UnsubscribeTokenInvalidError):
        tokens().read(token, NOW + timedelta(days=61))


def test_a_short_signing_secret_is_refused_at_start() -> None:
    with pytest.raises(ValueError, match="at least 32"):
        UnsubscribeTokens("short", lifetime=timedelta(days=1))
