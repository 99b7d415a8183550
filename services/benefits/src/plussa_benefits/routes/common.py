"""What the benefits routes share: path ids."""

import re

from plussa_shared.errors import BadRequestError

ID = r"^[A-Za-z0-9_.\-]{1,100}$"


def path_id(value: str) -> str:
    """A path id as this service makes them; anything else cannot exist (400)."""
    if not re.fullmatch(ID, value):
        raise BadRequestError("Not a valid id", slug="malformed-id")
    return value
