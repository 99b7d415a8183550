"""E-mail addresses: checked for syntax and kept in one canonical form."""

from email_validator import EmailNotValidError, validate_email

from plussa_identity.domain.errors import InvalidEmailError


def canonical_email(raw: str) -> str:
    """The address normalised and lower-cased (one login per mailbox), or a problem."""
    try:
        result = validate_email(raw.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise InvalidEmailError(str(exc)) from exc
    return result.normalized.lower()
