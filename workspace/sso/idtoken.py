"""Validating an ID token with joserfc: signature by one of the issuer's keys, then the claims.

Only asymmetric algorithms the issuer announces are accepted, so ``alg: none`` and an HMAC signed
with a public key are refused before any claim is read. Claims: ``iss`` is the issuer, ``aud``
holds our client id (and ``azp`` is ours when there are several audiences), ``exp``/``iat``/``nbf``
within ``SWITCHBOARD_SSO_CLOCK_SKEW_S``, ``nonce`` is the one this sign-in sent, ``sub`` present.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet
from joserfc.jwt import JWTClaimsRegistry

from workspace.sso.errors import SsoRefused

ASYMMETRIC_ALGS = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
)


@dataclass(frozen=True)
class Expected:
    """What this sign-in's ID token must say."""

    issuer: str
    client_id: str
    nonce: str
    algorithms: tuple[str, ...]
    leeway_s: int


class UnknownKey(Exception):
    """The token names a key the cached JWKS lacks: fetch the keys again, then retry once."""


def _algorithms(announced: tuple[str, ...]) -> list[str]:
    allowed = [alg for alg in announced if alg in ASYMMETRIC_ALGS]
    return allowed or ["RS256"]


def _decode(raw: str, keys: KeySet, expected: Expected) -> dict[str, Any]:
    try:
        token = jwt.decode(raw, keys, algorithms=_algorithms(expected.algorithms))
    except InvalidKeyIdError:
        raise UnknownKey from None
    except ValueError:
        raise SsoRefused("The ID token could not be read.") from None
    except JoseError as exc:
        raise SsoRefused(
            f"The ID token's signature was refused ({exc.error}): it was not signed by the "
            "identity provider's keys with an allowed algorithm."
        ) from None
    return dict(token.claims)


def validate(raw: str, keys: KeySet, expected: Expected) -> dict[str, Any]:
    """The ID token's claims, once its signature and every required claim check out."""
    claims = _decode(raw, keys, expected)
    registry = JWTClaimsRegistry(
        leeway=expected.leeway_s,
        iss={"essential": True, "value": expected.issuer},
        aud={"essential": True, "value": expected.client_id},
        sub={"essential": True},
        exp={"essential": True},
        iat={"essential": True},
        nonce={"essential": True, "value": expected.nonce},
    )
    try:
        registry.validate(claims)
    except JoseError as exc:
        raise SsoRefused(
            f"The ID token was refused ({exc.error}: {exc.description or 'claim check failed'})."
        ) from None
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    if len(audiences) > 1 and claims.get("azp") != expected.client_id:
        raise SsoRefused("The ID token was issued to another client (azp).")
    return claims
