"""A small OpenID provider that can misbehave on purpose, served over real HTTP on loopback.

It answers discovery, JWKS, authorize (no consent: straight back with a code), token and
userinfo like a real IdP; what its next ID token gets wrong is set per test (``mode``). The
happy path and consent use ``oidc-provider-mock`` instead; this one exists for the token
forgeries a well-behaved provider never sends.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import uvicorn
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey
from litestar import Litestar, Request, Response, get, post
from litestar.response import Redirect

from workspace.cli.embedded.ports import free_port


@dataclass
class RogueState:
    issuer: str
    client_id: str = "switchboard-rogue"
    key: RSAKey = field(default_factory=lambda: RSAKey.generate_key(2048, parameters={"kid": "k1"}))
    other_key: RSAKey = field(
        default_factory=lambda: RSAKey.generate_key(2048, parameters={"kid": "k1"})
    )
    mode: str = "ok"
    claims: dict[str, Any] = field(default_factory=dict)
    codes: dict[str, str] = field(default_factory=dict)  # code -> nonce
    token_calls: int = 0


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _id_token(state: RogueState, nonce: str) -> str:
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": state.issuer,
        "aud": state.client_id,
        "sub": "rogue-subject",
        "iat": now,
        "exp": now + 300,
        "nonce": nonce,
        "email": "someone@rogue.test",
        "email_verified": True,
    } | state.claims
    mode = state.mode
    if mode == "wrong_nonce":
        claims["nonce"] = "not-the-nonce"
    elif mode == "no_nonce":
        del claims["nonce"]
    elif mode == "wrong_issuer":
        claims["iss"] = "https://evil.example"
    elif mode == "wrong_audience":
        claims["aud"] = "some-other-client"
    elif mode == "expired":
        claims["iat"], claims["exp"] = now - 7200, now - 3600
    elif mode == "alg_none":
        return f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}."
    key = state.other_key if mode == "other_key" else state.key
    return jwt.encode({"alg": "RS256", "kid": key.kid}, claims, key)


def make_app(state: RogueState) -> Litestar:
    @get("/.well-known/openid-configuration", sync_to_thread=False)
    def discovery() -> dict[str, Any]:
        return {
            "issuer": state.issuer,
            "authorization_endpoint": f"{state.issuer}/authorize",
            "token_endpoint": f"{state.issuer}/token",
            "jwks_uri": f"{state.issuer}/jwks",
            "userinfo_endpoint": f"{state.issuer}/userinfo",
            "id_token_signing_alg_values_supported": ["RS256"],
        }

    @get("/jwks", sync_to_thread=False)
    def jwks() -> dict[str, Any]:
        return KeySet([state.key]).as_dict(private=False)

    @get("/authorize", sync_to_thread=False)
    def authorize(request: Request[Any, Any, Any]) -> Redirect:
        q = request.query_params
        code = secrets.token_urlsafe(16)
        state.codes[code] = q.get("nonce", "")
        target = f"{q['redirect_uri']}?{urlencode({'code': code, 'state': q.get('state', '')})}"
        return Redirect(target, status_code=302)

    @post("/token", status_code=200)
    async def token(request: Request[Any, Any, Any]) -> Response[dict[str, Any]]:
        form = await request.form()
        state.token_calls += 1
        nonce = state.codes.pop(str(form.get("code")), None)
        if nonce is None:
            return Response({"error": "invalid_grant"}, status_code=400)
        body = {
            "access_token": secrets.token_urlsafe(16),
            "token_type": "Bearer",
            "expires_in": 300,
            "id_token": _id_token(state, nonce),
        }
        return Response(body, status_code=200)

    @get("/userinfo", sync_to_thread=False)
    def userinfo() -> dict[str, Any]:
        return {"sub": state.claims.get("sub", "rogue-subject")}

    return Litestar([discovery, jwks, authorize, token, userinfo], debug=False)


@contextmanager
def rogue_idp() -> Iterator[RogueState]:
    port = free_port()
    state = RogueState(issuer=f"http://127.0.0.1:{port}")
    server = uvicorn.Server(
        uvicorn.Config(make_app(state), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the rogue IdP did not start")
        time.sleep(0.02)
    try:
        yield state
    finally:
        server.should_exit = True
        thread.join(timeout=10)
