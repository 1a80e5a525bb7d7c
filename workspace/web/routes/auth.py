"""Sign-up, sign-in and sign-out pages. They call the accounts service and set the same
``sb_session`` cookie as the JSON API (:mod:`workspace.accounts.cookies`).

The sign-in page also offers each configured SSO provider (:mod:`workspace.web.routes.sso`); a
right password of an account with two-factor on waits for its code
(:mod:`workspace.web.routes.two_factor`). Signing out of an SSO session can sign out of the IdP.

Before a session exists, the forms are protected by a double-submit token: a random value in a
``SameSite=Strict`` cookie that the hidden field must repeat, so another site cannot sign a
visitor into an account of its choosing (login CSRF).
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

from litestar import Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.response import Redirect, Template
from sqlmodel.ext.asyncio.session import AsyncSession

from workspace.accounts import service as accounts
from workspace.accounts.cookies import clear_session_cookie, is_secure, session_cookie
from workspace.accounts.models import User
from workspace.accounts.principal import Principal, client_ip, optional_principal
from workspace.config.settings import Settings
from workspace.errors import AppError
from workspace.runtime.dependencies import AUTHENTICATED, PUBLIC
from workspace.sso.logout import idp_logout
from workspace.sso.providers import configured
from workspace.teams import service as teams
from workspace.twofactor import pending
from workspace.twofactor.service import is_enrolled
from workspace.web.pages import CSRF_FIELD, field, form_of, safe_next
from workspace.web.signin import PENDING_COOKIE, sign_in, transit_cookie

FORM_COOKIE = "sb_form"


def form_page(
    request: Request[Any, Any, Any],
    settings: Settings,
    template: str,
    *,
    status: int = 200,
    error: str | None = None,
    values: dict[str, str] | None = None,
) -> Template:
    token = request.cookies.get(FORM_COOKIE) or secrets.token_urlsafe(24)
    cookie = Cookie(
        key=FORM_COOKIE,
        value=token,
        httponly=True,
        samesite="strict",
        secure=is_secure(request, settings),
        path="/",
    )
    context = {
        "form_token": token,
        "next": safe_next(request.query_params.get("next") or (values or {}).get("next")),
        "error": error,
        "values": values or {},
        "password_min": settings.password_min_length,
        "sso_providers": configured(settings).items,
    }
    return Template(template, context=context, status_code=status, cookies=[cookie])


def form_token_ok(request: Request[Any, Any, Any], sent: str) -> bool:
    expected = request.cookies.get(FORM_COOKIE, "")
    return bool(expected) and hmac.compare_digest(sent, expected)


def _signed_in(
    request: Request[Any, Any, Any], settings: Settings, new: accounts.NewSession, target: str
) -> Redirect:
    return Redirect(target, status_code=303, cookies=[session_cookie(request, settings, new)])


async def _submit(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    settings: Settings,
    template: str,
    names: tuple[str, ...],
    user_of: Callable[[dict[str, str], str, str | None], Awaitable[User]],
) -> Response[Any]:
    """A sign-up or sign-in form: its token checked, the user found or made, a session started.
    Any refusal shows the same form again with what was typed (never the password)."""
    form = await form_of(request)
    values = {k: field(form, k, 320) for k in names}
    if not form_token_ok(request, field(form, CSRF_FIELD, 200)):
        return form_page(
            request, settings, template, status=403, values=values,
            error="This form has expired. Please try again.",
        )  # fmt: skip
    ip = client_ip(request, settings.trust_forwarded_for)
    try:
        user = await user_of(values, field(form, "password", 1024), ip)
        new = await accounts.start_session(db, settings, user, ip)
    except AppError as exc:
        return form_page(
            request, settings, template, status=exc.status, error=exc.detail, values=values
        )
    return _signed_in(request, settings, new, safe_next(values["next"]))


@get("/", opt={"access": PUBLIC}, include_in_schema=False)
async def home(request: Request[Any, Any, Any], db: AsyncSession) -> Redirect:
    """Send visitors to sign-in and members to their first workspace."""
    principal = await optional_principal(request, db)
    if principal is None:
        return Redirect("/login", status_code=303)
    rows = await teams.list_workspaces(db, principal.user_id)
    return Redirect(f"/w/{rows[0][0].id}" if rows else "/workspaces/new", status_code=303)


@get("/signup", opt={"access": PUBLIC}, include_in_schema=False)
async def signup_page(request: Request[Any, Any, Any], settings: Settings) -> Template:
    """The sign-up form."""
    return form_page(request, settings, "auth/signup.html")


@post("/signup", opt={"access": PUBLIC}, include_in_schema=False)
async def signup_submit(
    request: Request[Any, Any, Any], db: AsyncSession, settings: Settings
) -> Response[Any]:
    """Create the account, sign it in and continue to ``next``."""

    async def create(values: dict[str, str], password: str, ip: str | None) -> User:
        email, name = values["email"], values["name"][:200]
        return await accounts.signup(db, settings, email=email, password=password, name=name)

    fields = ("name", "email", "next")
    return await _submit(request, db, settings, "auth/signup.html", fields, create)


@get("/login", opt={"access": PUBLIC}, include_in_schema=False)
async def login_page(request: Request[Any, Any, Any], settings: Settings) -> Template:
    """The sign-in form."""
    return form_page(request, settings, "auth/login.html")


@post("/login", opt={"access": PUBLIC}, include_in_schema=False)
async def login_submit(
    request: Request[Any, Any, Any], db: AsyncSession, settings: Settings
) -> Response[Any]:
    """Check the password (rate-limited by the service); an account with two-factor on goes on
    to the code page, others continue to ``next``."""
    template = "auth/login.html"
    form = await form_of(request)
    values = {k: field(form, k, 320) for k in ("email", "next")}
    if not form_token_ok(request, field(form, CSRF_FIELD, 200)):
        return form_page(
            request, settings, template, status=403, values=values,
            error="This form has expired. Please try again.",
        )  # fmt: skip
    ip = client_ip(request, settings.trust_forwarded_for)
    password = field(form, "password", 1024)
    try:
        user = await accounts.login(db, settings, email=values["email"], password=password, ip=ip)
    except AppError as exc:
        return form_page(request, settings, template, status=exc.status, error=exc.detail,
                         values=values)  # fmt: skip
    target = safe_next(values["next"])
    if await is_enrolled(db, user.id):
        raw = await pending.hold(db, settings, user.id, target)
        cookie = transit_cookie(
            request, settings, PENDING_COOKIE, raw, settings.second_factor_ttl_s
        )
        return Redirect("/login/second-factor", status_code=303, cookies=[cookie])
    return await sign_in(request, db, settings, user, ip=ip, method="password", target=target)


@get("/logout", opt={"access": AUTHENTICATED}, include_in_schema=False)
async def logout_page(principal: Principal, db: AsyncSession, settings: Settings) -> Template:
    """A confirmation page: signing out is a POST, so a link elsewhere cannot do it. An SSO
    session may also sign out of its identity provider."""
    idp = await idp_logout(db, settings, principal.session_key)
    return Template("auth/logout.html", context={"csrf": principal.csrf_token or "", "idp": idp})


@post("/logout", opt={"access": AUTHENTICATED}, include_in_schema=False)
async def logout_submit(
    principal: Principal, db: AsyncSession, settings: Settings
) -> Response[Any]:
    """End this session and clear the cookie. An SSO session gets a page offering to sign out
    of the identity provider too (a link: the IdP is another site, which forms may not post to)."""
    idp = await idp_logout(db, settings, principal.session_key)
    if principal.session_key:
        await accounts.end_session(db, principal.session_key)
    response: Response[Any] = (
        Template("auth/signed_out.html", context={"idp": idp})
        if idp
        else Redirect("/login", status_code=303)
    )
    clear_session_cookie(response)
    return response


AUTH_PAGES = [
    home,
    signup_page,
    signup_submit,
    login_page,
    login_submit,
    logout_page,
    logout_submit,
]
