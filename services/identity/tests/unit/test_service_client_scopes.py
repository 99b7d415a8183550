import pytest

from plussa_identity.domain.errors import InvalidScopeError
from plussa_identity.use_cases.service_clients import check_scopes


def test_a_partner_system_may_be_given_the_notification_scopes_for_its_own_chain() -> None:
    scopes = check_scopes(["notifications:send", "notifications:chain:k-rauta"])

    assert scopes == ["notifications:chain:k-rauta", "notifications:send"]


@pytest.mark.parametrize("scope", ["notifications:chain:", "notifications:chain:K RAUTA", "notifications:anything"])
def test_an_unknown_or_malformed_scope_is_refused(scope: str) -> None:
    with pytest.raises(InvalidScopeError):
        check_scopes(["notifications:send", scope])
