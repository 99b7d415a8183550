"""Examples the OpenAPI document shows for each request and answer."""

from typing import Any

NAMES = {"fi": "K-Citymarket", "sv": "K-Citymarket", "en": "K-Citymarket"}

PREFERENCES_IN = {"consents": {"k-citymarket": True, "k-rauta": False}, "wording_version": "2026-11"}
PREFERENCES: dict[str, Any] = {
    "version": 3,
    "chains": [
        {"chain_id": "k-citymarket", "kind": "chain", "names": NAMES, "consented": True},
        {
            "chain_id": "k-rauta",
            "kind": "chain",
            "names": {**NAMES, "fi": "K-Rauta", "sv": "K-Rauta", "en": "K-Rauta"},
            "consented": False,
        },
    ],
}
CONSENTS = {
    "items": [
        {
            "chain_id": "k-rauta",
            "consented": False,
            "at": "2026-11-30T10:15:00Z",
            "source": "unsubscribe_link",
            "wording_version": "2026-11",
        },
        {
            "chain_id": "k-citymarket",
            "consented": True,
            "at": "2026-11-02T08:00:00Z",
            "source": "portal",
            "wording_version": "2026-11",
        },
    ],
    "next_cursor": None,
}
MESSAGES = {
    "items": [
        {
            "message_id": "8c0d6c1e-5f7e-4b5e-9a51-3f1f2a0b9d11",
            "kind": "card_blocked",
            "subject": "Plussa-korttisi on suljettu",
            "language": "fi",
            "chain_id": None,
            "status": "sent",
            "created_at": "2026-11-30T10:00:01Z",
            "sent_at": "2026-11-30T10:00:02Z",
            "reason": None,
        },
    ],
    "next_cursor": "eyJzIjoiY3JlYXRlZF9hdCJ9",
}
CHAIN_IN = {"chain_id": "k-kenka", "kind": "partner", "names": {"fi": "K-Kenkä", "sv": "K-Sko", "en": "K-Shoe"}}
CHAIN = {"chain_id": "k-citymarket", "kind": "chain", "names": NAMES}
CHAINS = {"items": [CHAIN]}
UNSUBSCRIBE = {"chain_id": "k-citymarket", "names": NAMES, "consented": False}
CAMPAIGN_IN = {
    "chain_id": "k-citymarket",
    "kind": "offer",
    "title": {"fi": "Joulukinkku -20 %", "sv": "Julskinka -20 %", "en": "Christmas ham -20 %"},
    "text": {"fi": "Vain tällä viikolla.", "sv": "Bara den här veckan.", "en": "This week only."},
}
CAMPAIGN = {
    "campaign_id": "campaign-1f0c2b9e-7d7a-4a45-8d0e-2b5f0f3b6a10",
    "chain_id": "k-citymarket",
    "kind": "offer",
    "status": "streaming",
    "queued": 0,
    "skipped": 0,
    "created_at": "2026-11-30T10:00:00Z",
}
