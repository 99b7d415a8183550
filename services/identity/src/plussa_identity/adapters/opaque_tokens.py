"""Opaque tokens handed to people (refresh tokens, e-mail link tokens) and how they are stored.

Only a SHA-256 of a token is stored. The tokens carry 256 random bits, so a fast hash
is enough: there is nothing to guess that a slow hash would protect."""

import hashlib
import secrets


def new_token() -> str:
    """A fresh URL-safe token with 256 random bits."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """What is stored of ``token``."""
    return hashlib.sha256(token.encode()).hexdigest()
