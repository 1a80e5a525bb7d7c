"""TOTP codes (RFC 6238, pyotp) and their QR code (segno, as inline SVG)."""

from __future__ import annotations

import hmac
import time

import pyotp
import segno

STEP_S = 30


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, account: str, issuer: str) -> str:
    """The ``otpauth://`` URI an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=account, issuer_name=issuer)


def qr_svg(uri: str) -> str:
    """The URI as an inline SVG QR code (no script, no external image)."""
    return str(segno.make(uri, error="m").svg_inline(scale=4, dark="#111", light="#fff"))


def matching_step(
    secret: str, code: str, *, after_step: int, now: float | None = None
) -> int | None:
    """The time step ``code`` belongs to (this one or a neighbour, for clock drift), if it is
    newer than ``after_step``: a code already used is never accepted twice."""
    code = code.strip().replace(" ", "")
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    current = int((time.time() if now is None else now) // STEP_S)
    for step in (current - 1, current, current + 1):
        if step > after_step and hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None
