"""A small but real OpenID Connect provider on loopback, for testing single sign-on.

It speaks the protocol over HTTP as any provider does: discovery, an authorisation endpoint that
signs in whoever the test says and redirects back with a code, a token endpoint that checks the
client's secret and the PKCE verifier before issuing an RS256-signed ID token, and its public
keys. A test can make it misbehave as a hostile or broken provider would: another issuer,
another audience, an expired token, a bad signature or a wrong nonce.
"""

import base64
import hashlib
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

FAULTS = (
    None,
    "wrong_issuer",
    "wrong_audience",
    "expired",
    "bad_signature",
    "wrong_nonce",
    "discovery_issuer",
)


@dataclass
class Provider:
    """The provider's state: its clients, the person who signs in next, and any fault."""

    client_id: str = "goal-tracker"
    client_secret: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    redirect_uris: set = field(default_factory=set)
    person: dict = field(default_factory=dict)
    fault: str | None = None
    issuer: str = ""
    codes: dict = field(default_factory=dict)
    key: RSAKey = field(
        default_factory=lambda: RSAKey.generate_key(
            2048, parameters={"kid": "signing", "use": "sig", "alg": "RS256"}
        )
    )
    other_key: RSAKey = field(
        default_factory=lambda: RSAKey.generate_key(2048, parameters={"kid": "signing"})
    )
    token_requests: int = 0

    def __call__(self, environ, start_response):
        """Answer one HTTP request."""
        request = Request(environ)
        handler = {
            "/.well-known/openid-configuration": self.discovery,
            "/authorize": self.authorize,
            "/token": self.token,
            "/jwks": self.jwks,
        }.get(request.path)
        response = handler(request) if handler else Response("not found", 404)
        return response(environ, start_response)

    def discovery(self, request):
        """Publish where everything is."""
        issuer = "http://evil.example" if self.fault == "discovery_issuer" else self.issuer
        return _json(
            {
                "issuer": issuer,
                "authorization_endpoint": f"{self.issuer}/authorize",
                "token_endpoint": f"{self.issuer}/token",
                "jwks_uri": f"{self.issuer}/jwks",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "code_challenge_methods_supported": ["S256"],
                "token_endpoint_auth_methods_supported": [
                    "client_secret_basic",
                    "client_secret_post",
                ],
            }
        )

    def authorize(self, request):
        """Sign in the test's person and send them back with a code."""
        args = request.args
        if args.get("client_id") != self.client_id:
            return Response("unknown client", 400)
        if args.get("redirect_uri") not in self.redirect_uris:
            return Response("unregistered redirect", 400)
        if args.get("response_type") != "code" or args.get("code_challenge_method") != "S256":
            return Response("code flow with PKCE (S256) only", 400)
        code = secrets.token_urlsafe(24)
        self.codes[code] = {
            "redirect_uri": args["redirect_uri"],
            "challenge": args.get("code_challenge", ""),
            "nonce": args.get("nonce"),
            "person": dict(self.person),
        }
        target = f"{args['redirect_uri']}?{urlencode({'code': code, 'state': args['state']})}"
        return Response(status=302, headers={"Location": target})

    def token(self, request):
        """Exchange a code for tokens, once, checking the client and the PKCE verifier."""
        self.token_requests += 1
        form = request.form
        client_id, client_secret = form.get("client_id"), form.get("client_secret")
        if request.authorization is not None:
            client_id = request.authorization.username
            client_secret = request.authorization.password
        if client_id != self.client_id or client_secret != self.client_secret:
            return _json({"error": "invalid_client"}, 401)
        grant = self.codes.pop(form.get("code", ""), None)
        if grant is None or form.get("redirect_uri") != grant["redirect_uri"]:
            return _json({"error": "invalid_grant"}, 400)
        verifier = form.get("code_verifier", "")
        challenge = (
            base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
            .rstrip(b"=")
            .decode()
        )
        if not verifier or challenge != grant["challenge"]:
            return _json({"error": "invalid_grant", "error_description": "PKCE"}, 400)
        now = int(time.time())
        claims = {
            "iss": "http://evil.example" if self.fault == "wrong_issuer" else self.issuer,
            "aud": "someone-else" if self.fault == "wrong_audience" else self.client_id,
            "iat": now - (7200 if self.fault == "expired" else 0),
            "exp": now - 3600 if self.fault == "expired" else now + 300,
            "nonce": "not-the-nonce" if self.fault == "wrong_nonce" else grant["nonce"],
            **grant["person"],
        }
        key = self.other_key if self.fault == "bad_signature" else self.key
        id_token = jwt.encode({"alg": "RS256", "kid": "signing"}, claims, key)
        return _json(
            {
                "access_token": secrets.token_urlsafe(24),
                "token_type": "Bearer",
                "expires_in": 300,
                "id_token": id_token,
            }
        )

    def jwks(self, request):
        """Publish the public key that signs ID tokens."""
        return _json(KeySet([self.key]).as_dict(private=False))


def _json(data: dict, status: int = 200) -> Response:
    """Return JSON."""
    return Response(json.dumps(data), status, mimetype="application/json")


class RunningProvider:
    """The provider served on a free loopback port in a background thread."""

    def __init__(self):
        self.provider = Provider()
        self.server = make_server("127.0.0.1", 0, self.provider, threaded=True)
        self.provider.issuer = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        """Stop serving."""
        self.server.shutdown()
        self.server.server_close()
