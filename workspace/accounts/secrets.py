"""Random tokens and their hashes: what a cookie, API token or invite link carries.

Only SHA-256 hashes are stored, so a database dump cannot be replayed as a login. Tokens are
high-entropy random strings, so an unsalted fast hash is the right tool (unlike passwords).
"""

from __future__ import annotations

import hashlib
import secrets

API_TOKEN_PREFIX = "sb_"


def new_token(prefix: str = "") -> str:
    return prefix + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_hint(token: str) -> str:
    """What a list shows of a token: its prefix and last four characters."""
    head = API_TOKEN_PREFIX if token.startswith(API_TOKEN_PREFIX) else ""
    return f"{head}...{token[-4:]}"
