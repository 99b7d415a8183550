"""The chains and partners shipped with the service, read from ``data/chains.json``.

Operators add more at run time (route or command); the file seeds a new database.
"""

import json
from importlib import resources

from pydantic import TypeAdapter

from plussa_notifications.domain.chains import Chain

_CHAINS = TypeAdapter(list[Chain])


def shipped_chains() -> list[Chain]:
    """The chains and partners in the data file."""
    raw = (resources.files("plussa_notifications.data") / "chains.json").read_text("utf-8")
    return _CHAINS.validate_python(json.loads(raw), strict=False)
