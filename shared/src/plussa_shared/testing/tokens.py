"""Signing test tokens with a throw-away Ed25519 key, served as a real JWKS."""

import json
import threading
import uuid
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

ISSUER = "https://identity.plussa.fi"
AUDIENCE = "plussa"


class TestTokens:
    """Issues customer, service and operator tokens the services accept in tests."""

    __test__ = False  # not a test class

    def __init__(self) -> None:
        self.kid = uuid.uuid4().hex[:12]
        self.private_key = Ed25519PrivateKey.generate()
        public = jwt.algorithms.OKPAlgorithm.to_jwk(self.private_key.public_key(), as_dict=True)
        self.jwks: dict[str, Any] = {"keys": [{**public, "kid": self.kid, "alg": "EdDSA", "use": "sig"}]}

    def sign(self, claims: dict[str, Any], *, kid: str | None = None, key: Ed25519PrivateKey | None = None) -> str:
        """Sign arbitrary claims (for tampering tests)."""
        return jwt.encode(claims, key or self.private_key, algorithm="EdDSA", headers={"kid": kid or self.kid})

    def _claims(self, subject: str, ttl: timedelta, **extra: Any) -> dict[str, Any]:
        now = datetime.now(UTC)
        return {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": subject,
            "iat": now,
            "exp": now + ttl,
            **{k: v for k, v in extra.items() if v is not None},
        }

    def customer(
        self,
        person_id: str,
        household_id: str | None,
        role: str | None = "main",
        *,
        ttl: timedelta = timedelta(minutes=5),
    ) -> str:
        """A customer's access token."""
        return self.sign(
            self._claims(person_id, ttl, kind="customer", hh=household_id, role=role, sid=uuid.uuid4().hex)
        )

    def service(self, client_id: str, *scopes: str, ttl: timedelta = timedelta(minutes=5)) -> str:
        """A store, partner or bank system's token."""
        return self.sign(self._claims(client_id, ttl, kind="service", scope=" ".join(scopes)))

    def operator(self, operator_id: str, *scopes: str, ttl: timedelta = timedelta(minutes=5)) -> str:
        """An operator's token."""
        return self.sign(self._claims(operator_id, ttl, kind="operator", scope=" ".join(scopes)))

    @staticmethod
    def bearer(token: str) -> dict[str, str]:
        """The Authorization header for ``token``."""
        return {"Authorization": f"Bearer {token}"}


class JwksServer:
    """Serves a JWKS over HTTP on loopback in a thread, as identity would."""

    def __init__(self, jwks: dict[str, Any]) -> None:
        body = json.dumps(jwks).encode()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/.well-known/jwks.json"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> None:
        """Begin serving."""
        self._thread.start()

    def stop(self) -> None:
        """Stop serving."""
        self._server.shutdown()
        self._server.server_close()
