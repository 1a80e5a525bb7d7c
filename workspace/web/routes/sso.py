"""The single sign-on pages: start a flow, take the IdP's answer, link an existing account.

A refusal (wrong state, replayed code, a token that does not check out, an e-mail outside the
allowed domains, an unverified e-mail matching an account...) raises ``SsoRefused``: the pages'
error handler shows its sentence, and the request's unit of work rolls back, so nothing is made.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.response import Redirect, Template
from sqlmodel.ext.asyncio.session import AsyncSession

from workspace.accounts.principal import client_ip
from workspace.audit.service import Actor
from workspace.config.settings import Settings
from workspace.errors import AppError, NotFound
from workspace.runtime import Runtime
from workspace.runtime.dependencies import PUBLIC
from workspace.sso import flow
from workspace.sso.groups import apply_groups
from workspace.sso.identities import NeedsLink, complete_link, pending_link, resolve
from workspace.sso.models import SsoLinkRequest
from workspace.sso.providers import ProviderConfig, configured
from workspace.twofactor.service import is_enrolled, verify
from workspace.web.pages import CSRF_FIELD, field, form_of, safe_next
from workspace.web.routes.auth import form_page, form_token_ok
from workspace.web.signin import SSO_FLOW_COOKIE, SSO_LINK_COOKIE, clear, sign_in, transit_cookie


def _provider(settings: Settings, provider_id: str) -> ProviderConfig:
    provider = configured(settings).get(provider_id)
    if provider is None:
        raise NotFound("No such sign-in provider.")
    return provider


@get("/sso/{provider_id:str}/start", opt={"access": PUBLIC}, include_in_schema=False)
async def sso_start(
    request: Request[Any, Any, Any], db: AsyncSession, settings: Settings, provider_id: str
) -> Redirect:
    """Send the browser to the IdP, with this flow's state, nonce and PKCE challenge."""
    provider = _provider(settings, provider_id)
    next_path = safe_next(request.query_params.get("next"))
    started = await flow.start(db, settings, provider, next_path)
    cookie = transit_cookie(
        request, settings, SSO_FLOW_COOKIE, started.cookie_token, settings.sso_flow_ttl_s
    )
    return Redirect(started.authorization_url, status_code=303, cookies=[cookie])


@get("/sso/{provider_id:str}/callback", opt={"access": PUBLIC}, include_in_schema=False)
async def sso_callback(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    settings: Settings,
    runtime: Runtime,
    provider_id: str,
) -> Response[Any]:
    """Check the IdP's answer; sign in, create the account, or ask for the old password."""
    provider = _provider(settings, provider_id)
    params = {k: str(v)[:2000] for k, v in request.query_params.items()}
    cookie_token = request.cookies.get(SSO_FLOW_COOKIE, "")
    login = await flow.finish(db, settings, runtime.secrets, provider, cookie_token, params)
    ip = client_ip(request, settings.trust_forwarded_for)
    outcome = await resolve(db, settings, provider, login, ip)
    if isinstance(outcome, NeedsLink):
        cookie = transit_cookie(
            request, settings, SSO_LINK_COOKIE, outcome.cookie_token, settings.sso_flow_ttl_s
        )
        response: Response[Any] = Redirect("/sso/link", status_code=303, cookies=[cookie])
    else:
        await apply_groups(db, Actor(outcome.user.id, ip), outcome.user.id, provider.id,
                           login.groups)  # fmt: skip
        response = await sign_in(request, db, settings, outcome.user, ip=ip, method="sso",
                                 target=login.next_path, provider=provider.id)  # fmt: skip
    clear(response, SSO_FLOW_COOKIE)
    return response


async def _link_page(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    settings: Settings,
    link: SsoLinkRequest,
    *,
    status: int = 200,
    error: str | None = None,
) -> Template:
    page = form_page(request, settings, "auth/sso_link.html", status=status, error=error)
    provider = configured(settings).get(link.provider)
    page.context |= {
        "email": link.email,
        "provider_label": provider.label if provider else link.provider,
        "needs_code": await is_enrolled(db, link.user_id),
    }
    return page


@get("/sso/link", opt={"access": PUBLIC}, include_in_schema=False)
async def sso_link_page(
    request: Request[Any, Any, Any], db: AsyncSession, settings: Settings
) -> Template:
    """Ask for the existing account's password before linking the IdP login to it."""
    link = await pending_link(db, request.cookies.get(SSO_LINK_COOKIE, ""))
    if link is None:
        raise NotFound("This link request has expired; sign in with your identity provider again.")
    return await _link_page(request, db, settings, link)


@post("/sso/link", opt={"access": PUBLIC}, include_in_schema=False)
async def sso_link_submit(
    request: Request[Any, Any, Any], db: AsyncSession, settings: Settings, runtime: Runtime
) -> Response[Any]:
    """Prove the old login (password, and its second factor if on), then link and sign in."""
    link = await pending_link(db, request.cookies.get(SSO_LINK_COOKIE, ""))
    if link is None:
        raise NotFound("This link request has expired; sign in with your identity provider again.")
    form = await form_of(request)
    if not form_token_ok(request, field(form, CSRF_FIELD, 200)):
        return await _link_page(request, db, settings, link, status=403,
                                error="This form has expired. Please try again.")  # fmt: skip
    ip = client_ip(request, settings.trust_forwarded_for)
    try:
        if await is_enrolled(db, link.user_id):
            await verify(db, runtime.secrets, settings, Actor(link.user_id, ip), link.user_id,
                         field(form, "code", 20))  # fmt: skip
        user = await complete_link(db, settings, link, field(form, "password", 1024), ip)
    except AppError as exc:  # a wrong password or code, or too many tries: the form says which
        return await _link_page(request, db, settings, link, status=exc.status, error=exc.detail)
    await apply_groups(db, Actor(user.id, ip), user.id, link.provider, link.groups)
    response = await sign_in(request, db, settings, user, ip=ip, method="sso",
                             target=link.next_path, provider=link.provider)  # fmt: skip
    clear(response, SSO_LINK_COOKIE)
    return response


SSO_PAGES = [sso_start, sso_callback, sso_link_page, sso_link_submit]
