"""The session cookie, set and cleared in one place for the JSON API and the pages alike.

``HttpOnly`` (scripts never see it), ``SameSite=Lax`` (sent on top-level navigation, not on
cross-site posts), ``Path=/``, and ``Secure`` exactly when the request came over TLS, or as the
operator forces it (``SESSION_COOKIE_SECURE``).
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response
from litestar.datastructures import Cookie

from workspace.accounts.principal import SESSION_COOKIE
from workspace.accounts.service import NewSession
from workspace.config.settings import Settings


def is_secure(request: Request[Any, Any, Any], settings: Settings) -> bool:
    """Whether a cookie set in answer to ``request`` gets the ``Secure`` flag."""
    if settings.session_cookie_secure != "auto":
        return settings.session_cookie_secure == "always"
    proto = request.headers.get("x-forwarded-proto") if settings.trust_forwarded_for else None
    return (proto or request.url.scheme) == "https"


def session_cookie(request: Request[Any, Any, Any], settings: Settings, new: NewSession) -> Cookie:
    return Cookie(
        key=SESSION_COOKIE,
        value=new.cookie_token,
        max_age=new.max_age_s,
        httponly=True,
        samesite="lax",
        secure=is_secure(request, settings),
        path="/",
    )


def clear_session_cookie(response: Response[Any]) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/")
