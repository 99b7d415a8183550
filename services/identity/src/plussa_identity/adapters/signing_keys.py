"""Identity's token signing keys: made at first start, private halves encrypted at rest.

Keys are Ed25519. The private key is stored as encrypted PKCS#8 (scrypt or PBKDF2
key derivation and AES, cryptography's best available) under the key-encryption
secret from settings, so a copy of the database alone signs nothing. One key is
active and signs; rotation makes a new key active and keeps the old one published
in the JWKS until every token it signed has expired, so nobody is logged out.
Replicas re-read the active key every ``key_refresh_s``.
"""

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import jwt
import structlog
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pymongo.errors import DuplicateKeyError

from plussa_identity.settings import IdentitySettings
from plussa_identity.store import IdentityStore
from plussa_shared.mongo import Document

log = structlog.get_logger(__name__)

ALGORITHM = "EdDSA"
UNKNOWN_KID_RELOAD_S = 1.0


@dataclass(frozen=True)
class Signer:
    """The key that signs tokens now."""

    kid: str
    private_key: Ed25519PrivateKey


def new_key_document(secret: bytes, now: datetime) -> Document:
    """A fresh active key with its private half encrypted under ``secret``."""
    kid = uuid.uuid4().hex[:16]
    private = Ed25519PrivateKey.generate()
    public = jwt.algorithms.OKPAlgorithm.to_jwk(private.public_key(), as_dict=True)
    encrypted = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(secret),
    )
    return {
        "_id": kid,
        "active": True,
        "created_at": now,
        "retired_at": None,
        "public_jwk": {**public, "kid": kid, "alg": ALGORITHM, "use": "sig"},
        "private_pem": encrypted,
    }


class KeyRing:
    """Signs with the active key and answers which public keys are valid (a ``KeySource``)."""

    def __init__(self, store: IdentityStore, settings: IdentitySettings, clock: Callable[[], datetime]) -> None:
        self._store = store
        self._clock = clock
        self._secret = settings.key_secret
        self._refresh_s = settings.key_refresh_s
        self._publish_after_retire = timedelta(
            seconds=max(settings.access_token_ttl_s, settings.service_token_ttl_s) + settings.key_retire_grace_s
        )
        self._signer: Signer | None = None
        self._signer_loaded = float("-inf")
        self._public: dict[str, jwt.PyJWK] = {}
        self._public_loaded = float("-inf")

    async def start(self) -> None:
        """Make the first key if there is none (several replicas may race; one wins)."""
        if await self._store.active_signing_key() is None:
            try:
                document = self.new_key(self._clock())
                await self._store.add_first_signing_key(document)
                log.info("signing_key_created", kid=document["_id"])
            except DuplicateKeyError:
                pass
        await self.signer()

    def new_key(self, now: datetime) -> Document:
        """A fresh key, its private half encrypted under the key-encryption secret."""
        return new_key_document(self._secret, now)

    async def signer(self) -> Signer:
        """The active key, re-read at most every ``key_refresh_s``."""
        if self._signer is not None and time.monotonic() - self._signer_loaded < self._refresh_s:
            return self._signer
        document = await self._store.active_signing_key()
        if document is None:
            raise RuntimeError("no active signing key")
        if self._signer is None or self._signer.kid != document["_id"]:
            private = serialization.load_pem_private_key(document["private_pem"], password=self._secret)
            if not isinstance(private, Ed25519PrivateKey):
                raise RuntimeError("the active signing key is not an Ed25519 key")
            self._signer = Signer(document["_id"], private)
        self._signer_loaded = time.monotonic()
        return self._signer

    async def jwks(self) -> dict[str, Any]:
        """The public keys tokens may be signed with now: the active one and recently retired ones."""
        return {"keys": await self._published()}

    async def key(self, kid: str) -> jwt.PyJWK | None:
        """The published public key with this ``kid`` (verifying identity's own tokens)."""
        age = time.monotonic() - self._public_loaded
        if age >= self._refresh_s or (kid not in self._public and age >= UNKNOWN_KID_RELOAD_S):
            self._public = {jwk["kid"]: jwt.PyJWK(jwk) for jwk in await self._published()}
            self._public_loaded = time.monotonic()
        return self._public.get(kid)

    def forget_cached(self) -> None:
        """Re-read the keys at next use (another key has just become the signer)."""
        self._signer_loaded = self._public_loaded = float("-inf")

    async def _published(self) -> list[dict[str, Any]]:
        return await self._store.published_signing_keys(self._clock() - self._publish_after_retire)
