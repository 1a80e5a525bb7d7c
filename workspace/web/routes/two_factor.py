"""Two-factor pages: the code after a right password, and enrolling or disabling an app.

``/login/second-factor`` finishes a password sign-in parked by the login form
(:mod:`workspace.twofactor.pending`). ``/account/two-factor`` shows the QR code (inline SVG),
confirms a first code, shows the recovery codes once, and turns 2FA off again after a code.
Confirming marks the current session as having passed the second factor.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.response import Redirect, Template
from sqlmodel.ext.asyncio.session import AsyncSession

from workspace.accounts.external import user_by_id
from workspace.accounts.principal import Principal, client_ip
from workspace.accounts.service import LoginRateLimited
from workspace.audit.service import Actor
from workspace.config.settings import Settings
from workspace.errors import AppError, NotFound
from workspace.runtime import Runtime
from workspace.runtime.dependencies import AUTHENTICATED, PUBLIC
from workspace.sso.models import SessionSignIn
from workspace.twofactor import pending
from workspace.twofactor import service as twofactor
from workspace.web.pages import CSRF_FIELD, field, form_of
from workspace.web.routes.auth import form_page, form_token_ok
from workspace.web.signin import PENDING_COOKIE, clear, sign_in

_CODE_PAGE = "auth/second_factor.html"
_ACCOUNT_PAGE = "auth/two_factor.html"


@get("/login/second-factor", opt={"access": PUBLIC}, include_in_schema=False)
async def second_factor_page(
    request: Request[Any, Any, Any], db: AsyncSession, settings: Settings
) -> Response[Any]:
    """Ask for the authenticator (or a recovery) code of the password just given."""
    if await pending.find(db, request.cookies.get(PENDING_COOKIE, "")) is None:
        return Redirect("/login", status_code=303)
    return form_page(request, settings, _CODE_PAGE)


@post("/login/second-factor", opt={"access": PUBLIC}, include_in_schema=False)
async def second_factor_submit(
    request: Request[Any, Any, Any], db: AsyncSession, settings: Settings, runtime: Runtime
) -> Response[Any]:
    """Check the code (throttled like passwords); on success, sign in and continue."""
    parked = await pending.find(db, request.cookies.get(PENDING_COOKIE, ""))
    if parked is None:
        return Redirect("/login", status_code=303)
    form = await form_of(request)
    if not form_token_ok(request, field(form, CSRF_FIELD, 200)):
        return form_page(request, settings, _CODE_PAGE, status=403,
                         error="This form has expired. Please try again.")  # fmt: skip
    ip = client_ip(request, settings.trust_forwarded_for)
    try:
        await twofactor.verify(db, runtime.secrets, settings, Actor(parked.user_id, ip),
                               parked.user_id, field(form, "code", 20))  # fmt: skip
    except AppError as exc:
        if isinstance(exc, LoginRateLimited):
            await pending.release(db, parked)  # throttled: start again from the password
        return form_page(request, settings, _CODE_PAGE, status=exc.status, error=exc.detail)
    user = await user_by_id(db, parked.user_id)
    if user is None:
        raise NotFound("That account no longer exists.")
    await pending.release(db, parked)
    response = await sign_in(request, db, settings, user, ip=ip, method="password",
                             target=parked.next_path, second_factor=True)  # fmt: skip
    clear(response, PENDING_COOKIE)
    return response


async def _account_context(
    db: AsyncSession, principal: Principal, **extra: object
) -> dict[str, object]:
    return {
        "csrf": principal.csrf_token or "",
        "enrolled": await twofactor.is_enrolled(db, principal.user_id),
        "codes_left": await twofactor.recovery_codes_left(db, principal.user_id),
        "error": None,
        "disabled": False,
        "recovery_codes": None,
        "enrolment": None,
        **extra,
    }


@get("/account/two-factor", opt={"access": AUTHENTICATED}, include_in_schema=False)
async def two_factor_page(principal: Principal, db: AsyncSession) -> Template:
    """Whether two-factor is on, with the way to turn it on or off."""
    return Template(_ACCOUNT_PAGE, context=await _account_context(db, principal))


@post("/account/two-factor/begin", opt={"access": AUTHENTICATED}, include_in_schema=False)
async def two_factor_begin(
    principal: Principal, db: AsyncSession, settings: Settings, runtime: Runtime
) -> Template:
    """A new secret: its QR code and the field for the first code."""
    enrolment = await twofactor.begin(db, runtime.secrets, settings, principal.user_id,
                                      principal.email)  # fmt: skip
    context = await _account_context(db, principal, enrolment=enrolment)
    return Template(_ACCOUNT_PAGE, context=context)


@post("/account/two-factor/confirm", opt={"access": AUTHENTICATED}, include_in_schema=False)
async def two_factor_confirm(
    request: Request[Any, Any, Any],
    principal: Principal,
    db: AsyncSession,
    settings: Settings,
    runtime: Runtime,
) -> Template:
    """Turn 2FA on with the app's first code; show the recovery codes once."""
    code = field(await form_of(request), "code", 20)
    actor = Actor(principal.user_id, client_ip(request, settings.trust_forwarded_for))
    try:
        codes = await twofactor.confirm(db, runtime.secrets, settings, actor, principal.user_id,
                                        code)  # fmt: skip
    except AppError as exc:
        context = await _account_context(db, principal, error=exc.detail)
        return Template(_ACCOUNT_PAGE, context=context, status_code=exc.status)
    if principal.session_key:  # this session just proved the second factor
        row = await db.get(SessionSignIn, principal.session_key) or SessionSignIn(
            token_hash=principal.session_key, method="password"
        )
        row.second_factor = True
        db.add(row)
    context = await _account_context(db, principal, recovery_codes=codes)
    return Template(_ACCOUNT_PAGE, context=context)


@post("/account/two-factor/disable", opt={"access": AUTHENTICATED}, include_in_schema=False)
async def two_factor_disable(
    request: Request[Any, Any, Any],
    principal: Principal,
    db: AsyncSession,
    settings: Settings,
    runtime: Runtime,
) -> Template:
    """Turn 2FA off after a current code (or a recovery code)."""
    code = field(await form_of(request), "code", 20)
    actor = Actor(principal.user_id, client_ip(request, settings.trust_forwarded_for))
    try:
        await twofactor.disable(db, runtime.secrets, settings, actor, principal.user_id, code)
    except AppError as exc:
        context = await _account_context(db, principal, error=exc.detail)
        return Template(_ACCOUNT_PAGE, context=context, status_code=exc.status)
    return Template(_ACCOUNT_PAGE, context=await _account_context(db, principal, disabled=True))


TWO_FACTOR_PAGES = [
    second_factor_page,
    second_factor_submit,
    two_factor_page,
    two_factor_begin,
    two_factor_confirm,
    two_factor_disable,
]
