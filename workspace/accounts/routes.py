"""HTTP routes of the accounts domain: thin wrappers over :mod:`workspace.accounts.service`."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Request, Response, Router, delete, get, post
from sqlmodel.ext.asyncio.session import AsyncSession

from workspace.accounts import service
from workspace.accounts.cookies import clear_session_cookie, session_cookie
from workspace.accounts.models import ApiToken
from workspace.accounts.principal import Principal, client_ip, require_may_make_tokens
from workspace.accounts.schemas import LoginIn, MeOut, SignupIn, TokenIn, TokenOut
from workspace.audit.service import Actor
from workspace.config.settings import Settings
from workspace.runtime.dependencies import AUTHENTICATED, PUBLIC


def _session_response(
    request: Request[Any, Any, Any], settings: Settings, new: service.NewSession, status: int
) -> Response[MeOut]:
    body = MeOut(
        id=new.user.id, email=new.user.email, name=new.user.name, csrf_token=new.csrf_token
    )
    return Response(body, status_code=status, cookies=[session_cookie(request, settings, new)])


@post("/signup", opt={"access": PUBLIC}, operation_id="signup")
async def signup(
    request: Request[Any, Any, Any], data: SignupIn, db: AsyncSession, settings: Settings
) -> Response[MeOut]:
    """Create an account and sign it in."""
    user = await service.signup(
        db, settings, email=data.email, password=data.password, name=data.name
    )
    ip = client_ip(request, settings.trust_forwarded_for)
    new = await service.start_session(db, settings, user, ip)
    return _session_response(request, settings, new, 201)


@post("/login", opt={"access": PUBLIC}, operation_id="login")
async def login(
    request: Request[Any, Any, Any], data: LoginIn, db: AsyncSession, settings: Settings
) -> Response[MeOut]:
    """Sign in with email and password (rate-limited per account and per IP)."""
    ip = client_ip(request, settings.trust_forwarded_for)
    user = await service.login(db, settings, email=data.email, password=data.password, ip=ip)
    new = await service.start_session(db, settings, user, ip)
    return _session_response(request, settings, new, 200)


@post("/logout", opt={"access": AUTHENTICATED}, operation_id="logout", status_code=204)
async def logout(principal: Principal, db: AsyncSession) -> Response[None]:
    """End this session (the cookie is cleared)."""
    if principal.session_key:
        await service.end_session(db, principal.session_key)
    response: Response[None] = Response(None, status_code=204)
    clear_session_cookie(response)
    return response


@get("/me", opt={"access": AUTHENTICATED}, operation_id="me")
async def me(principal: Principal) -> MeOut:
    """The signed-in user, with the session's CSRF token for cookie-authenticated writes."""
    return MeOut(principal.user_id, principal.email, principal.name, principal.csrf_token)


def token_out(token: ApiToken, secret: str | None = None) -> TokenOut:
    """A token as the API shows it: never its secret, except once in its creation's response."""
    return TokenOut(
        token.id,
        token.name,
        token.hint,
        token.created_at,
        token.last_used_at,
        secret,
        token.workspace_id,
        token.scope,
        token.expires_at,
    )


@post("/", opt={"access": AUTHENTICATED}, operation_id="create_api_token", status_code=201)
async def create_token(
    data: TokenIn, principal: Principal, actor: Actor, db: AsyncSession, settings: Settings
) -> TokenOut:
    """Create an API token; the secret is in this response only."""
    require_may_make_tokens(principal)
    issued = await service.create_api_token(db, settings, actor, principal.user_id, data.name)
    return token_out(issued.token, issued.secret)


@get("/", opt={"access": AUTHENTICATED}, operation_id="list_api_tokens")
async def list_tokens(principal: Principal, db: AsyncSession) -> list[TokenOut]:
    """Live API tokens of the caller (hints only)."""
    return [token_out(t) for t in await service.list_api_tokens(db, principal.user_id)]


@delete("/{token_id:uuid}", opt={"access": AUTHENTICATED}, operation_id="revoke_api_token")
async def revoke_token(
    token_id: uuid.UUID, principal: Principal, actor: Actor, db: AsyncSession
) -> None:
    """Revoke one of the caller's API tokens."""
    await service.revoke_api_token(db, actor, principal.user_id, token_id)


auth_router = Router("/api/auth", route_handlers=[signup, login, logout, me], tags=["accounts"])
tokens_router = Router(
    "/api/tokens", route_handlers=[create_token, list_tokens, revoke_token], tags=["accounts"]
)
