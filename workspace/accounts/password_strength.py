"""Refuse passwords that are common, breached-list favourites or built from the user's own name.

zxcvbn (Dropbox's estimator, Python port) ships its frequency lists inside the package: the
check runs offline, with no call to any breach service. It scores a password 0-4 by the guesses
an attacker who knows those lists would need; below :data:`MIN_SCORE` is refused. Score 3 means
"safely unguessable" online and survives a slow offline attack on an argon2 hash for a while,
which is what a sign-in protected by rate limits needs. Length alone proves little:
"password123456" is 14 characters and among the first guesses of any attacker.
"""

from __future__ import annotations

from collections.abc import Iterable

import anyio.to_thread
from zxcvbn import zxcvbn

MIN_SCORE = 3

# zxcvbn refuses longer input (its matching is super-linear); a weak prefix of a longer password
# is rare, and the prefix is what is checked.
_MAX_CHECKED = 72


def _weakness(password: str, user_inputs: list[str]) -> str | None:
    result = zxcvbn(password[:_MAX_CHECKED], user_inputs=user_inputs, max_length=_MAX_CHECKED)
    if int(result["score"]) >= MIN_SCORE:
        return None
    warning = str(result["feedback"].get("warning") or "")
    return warning or "It is too easy to guess."


async def weakness(password: str, user_inputs: Iterable[str] = ()) -> str | None:
    """Why ``password`` is too weak (a sentence), or ``None`` if it is strong enough.

    ``user_inputs`` (the email, the name) count as words an attacker knows. Run off the event
    loop: a long password takes zxcvbn tens of milliseconds.
    """
    inputs = [s for s in user_inputs if s]
    return await anyio.to_thread.run_sync(_weakness, password, inputs)
