"""Workspace pages: who sees what, the admin console, invites and the audit log."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from tests.integration.web.conftest import Browser, session_token
from tests.support import Stack, UserClient

ADMIN_GETS = ["", "/audit", "/keys", "/policy", "/usage"]


async def _join(owner: Browser, ws: str, guest: UserClient, role: str) -> None:
    """``owner`` creates an invite on the admin page; ``guest`` accepts it through the API."""
    token = await owner.csrf(f"/w/{ws}/admin")
    resp = await owner.http.post(f"/w/{ws}/admin/invites", data={"csrf_token": token, "role": role})
    assert resp.status_code == 200, resp.text
    link = resp.text.split("data-invite-link", 1)[0].rsplit('value="', 1)[1].split('"', 1)[0]
    accepted = await guest.post(f"/api/invites/{link.rsplit('/', 1)[1]}/accept")
    assert accepted.status_code == 201, accepted.text


async def test_owner_reaches_every_admin_page(owner: Browser) -> None:
    ws = await owner.create_workspace("Acme")
    for suffix in ADMIN_GETS:
        resp = await owner.http.get(f"/w/{ws}/admin{suffix}")
        assert resp.status_code == 200, suffix


@pytest.mark.parametrize("role", ["member", "viewer"])
async def test_admin_console_is_404_for_members_and_viewers(
    owner: Browser, bob: UserClient, role: str
) -> None:
    ws = await owner.create_workspace()
    await _join(owner, ws, bob, role)
    for suffix in ADMIN_GETS:
        resp = await bob.get(f"/w/{ws}/admin{suffix}")
        assert resp.status_code == 404, suffix
    me = (await bob.get("/api/auth/me")).json()["id"]
    writes = [f"/members/{me}/role", f"/members/{me}/remove", "/invites"]
    for suffix in writes:
        resp = await bob.post(f"/w/{ws}/admin{suffix}", data={"role": "owner"})
        assert resp.status_code == 404, suffix
    home = await bob.get(f"/w/{ws}")
    assert f"/w/{ws}/admin" not in home.text


async def test_non_member_gets_404_on_workspace_pages(owner: Browser, bob: UserClient) -> None:
    ws = await owner.create_workspace()
    for path in [f"/w/{ws}", f"/w/{ws}/c/new", f"/w/{ws}/compare", f"/w/{ws}/admin"]:
        assert (await bob.get(path)).status_code == 404, path
    assert (await bob.get(f"/w/{uuid.uuid4()}")).status_code == 404


async def test_viewer_sees_no_write_controls(owner: Browser, bob: UserClient) -> None:
    ws = await owner.create_workspace()
    await _join(owner, ws, bob, "viewer")
    home = await bob.get(f"/w/{ws}")
    assert home.status_code == 200
    assert "viewer" in home.text
    assert f'action="/w/{ws}/projects"' not in home.text
    assert f"/w/{ws}/c/new" not in home.text
    chat = await bob.get(f"/w/{ws}/c/new")
    assert chat.status_code == 200
    assert "data-composer" not in chat.text
    assert "<textarea" not in chat.text
    compare = await bob.get(f"/w/{ws}/compare")
    assert "data-composer" not in compare.text
    refused = await bob.post(f"/w/{ws}/projects", data={"name": "nope"})
    assert refused.status_code == 404


async def test_member_sees_composer_with_models_grouped_by_provider(
    owner: Browser, bob: UserClient
) -> None:
    ws = await owner.create_workspace()
    await _join(owner, ws, bob, "member")
    chat = await bob.get(f"/w/{ws}/c/new")
    assert "data-composer" in chat.text
    assert "<optgroup" in chat.text
    assert 'value="openai/' in chat.text
    home = await bob.get(f"/w/{ws}")
    assert f'action="/w/{ws}/projects"' in home.text


async def test_project_form_adds_a_project_to_the_sidebar(owner: Browser) -> None:
    ws = await owner.create_workspace()
    token = await owner.csrf(f"/w/{ws}")
    resp = await owner.http.post(
        f"/w/{ws}/projects", data={"csrf_token": token, "name": "Launch <plan>"}
    )
    assert resp.status_code == 303
    home = await owner.http.get(f"/w/{ws}")
    assert "Launch &lt;plan&gt;" in home.text


async def test_invite_link_flow_and_admin_sees_member_and_audit(
    owner: Browser, bob: UserClient
) -> None:
    ws = await owner.create_workspace()
    token = await owner.csrf(f"/w/{ws}/admin")
    created = await owner.http.post(
        f"/w/{ws}/admin/invites", data={"csrf_token": token, "role": "member"}
    )
    assert "Invite link" in created.text
    link = created.text.split("data-invite-link", 1)[0].rsplit('value="', 1)[1].split('"', 1)[0]
    path = "/invites/" + link.rsplit("/", 1)[1]
    landing = await bob.get(path)
    assert landing.status_code == 200
    assert landing.headers["referrer-policy"] == "no-referrer"
    bob_token = session_token(landing.text)
    joined = await bob.http.post(path, data={"csrf_token": bob_token})
    assert joined.status_code == 303
    assert joined.headers["location"] == f"/w/{ws}"
    again = await bob.http.post(path, data={"csrf_token": bob_token})
    assert again.status_code == 410
    admin = await owner.http.get(f"/w/{ws}/admin")
    assert bob.email in admin.text
    audit = await owner.http.get(f"/w/{ws}/admin/audit")
    for action in ("workspace.created", "invite.created", "invite.accepted"):
        assert f'data-action="{action}"' in audit.text
    only = await owner.http.get(f"/w/{ws}/admin/audit", params={"action": "invite.accepted"})
    assert only.text.count("data-action=") == 1
    by_bob = await owner.http.get(f"/w/{ws}/admin/audit", params={"member": bob.id, "since": ""})
    assert 'data-action="invite.accepted"' in by_bob.text
    assert 'data-action="workspace.created"' not in by_bob.text
    future = await owner.http.get(f"/w/{ws}/admin/audit", params={"since": "2999-01-01"})
    assert "data-action=" not in future.text


async def test_role_change_over_htmx_returns_the_people_fragment(
    owner: Browser, bob: UserClient
) -> None:
    ws = await owner.create_workspace()
    await _join(owner, ws, bob, "member")
    token = await owner.csrf(f"/w/{ws}/admin")
    resp = await owner.http.post(
        f"/w/{ws}/admin/members/{bob.id}/role",
        data={"role": "viewer"},
        headers={"HX-Request": "true", "X-CSRF-Token": token},
    )
    assert resp.status_code == 200
    assert "<html" not in resp.text
    assert "data-members" in resp.text
    members = (await owner.http.get(f"/api/workspaces/{ws}/members")).json()
    assert {m["email"]: m["role"] for m in members}[bob.email] == "viewer"


async def test_removing_the_last_owner_shows_the_reason(owner: Browser) -> None:
    ws = await owner.create_workspace()
    me = (await owner.http.get("/api/auth/me")).json()["id"]
    token = await owner.csrf(f"/w/{ws}/admin")
    resp = await owner.http.post(
        f"/w/{ws}/admin/members/{me}/role",
        data={"role": "admin"},
        headers={"HX-Request": "true", "X-CSRF-Token": token},
    )
    assert resp.status_code == 409
    assert resp.headers["hx-retarget"] == "#flash"
    assert "owner" in resp.text


async def test_sidebar_pages_a_thousand_rows(owner: Browser, stack: Stack) -> None:
    # Render time is measured by `python -m bench --only pages`, never by a timed test.
    ws = await owner.create_workspace("Big")
    me = (await owner.http.get("/api/auth/me")).json()["id"]
    engine = create_async_engine(stack.settings.database_url or "")
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO projects (id, workspace_id, name, description, created_by, created_at)"
                " SELECT gen_random_uuid(), :ws, 'Project ' || n, '', :me, now()"
                " FROM generate_series(1, 1000) AS n"
            ),
            {"ws": ws, "me": me},
        )
    await engine.dispose()
    for path in (f"/w/{ws}", f"/w/{ws}/c/new", f"/w/{ws}/admin", f"/w/{ws}/admin/audit"):
        assert (await owner.http.get(path)).status_code == 200
    home = await owner.http.get(f"/w/{ws}")
    assert home.text.count('class="nav-item"') <= 40
    more = await owner.http.get(f"/w/{ws}/sidebar/projects", params={"offset": 30})
    assert "More projects" in more.text


async def test_header_shows_the_credits_left(owner: Browser) -> None:
    ws = await owner.create_workspace()
    home = await owner.http.get(f"/w/{ws}")
    credits = (await owner.http.get(f"/api/workspaces/{ws}/credits")).json()
    assert f"{credits['available']:,}</strong>" in home.text


async def test_usage_dashboard_draws_a_bar_per_day(owner: Browser, stack: Stack) -> None:
    ws = await owner.create_workspace()
    me = (await owner.http.get("/api/auth/me")).json()["id"]
    engine = create_async_engine(stack.settings.database_url or "")
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO usage_events (id, workspace_id, user_id, provider, model, key_source,"
                " input_tokens, output_tokens, cached_tokens, latency_ms, cost_usd_micros,"
                " credits, status, fallback, created_at)"
                " SELECT gen_random_uuid(), :ws, :me, 'openai', 'gpt-4o', 'workspace', 100, 50,"
                " 0, 10, 1200, 0, 'complete', false, now() - (n || ' days')::interval"
                " FROM generate_series(0, 2) AS n"
            ),
            {"ws": ws, "me": me},
        )
    await engine.dispose()
    page = await owner.http.get(f"/w/{ws}/admin/usage")
    assert page.status_code == 200
    assert page.text.count('<rect class="bar"') == 6  # two charts, three days each
    assert "usage.csv?group_by=day" in page.text


async def test_policy_form_saves_for_admins_only(owner: Browser, bob: UserClient) -> None:
    ws = await owner.create_workspace()
    token = await owner.csrf(f"/w/{ws}/admin/policy")
    saved = await owner.http.post(
        f"/w/{ws}/admin/policy",
        data={"csrf_token": token, "byok_failure": "fallback", "restrict_providers": "on",
              "providers": ["openai", "anthropic"]},
    )  # fmt: skip
    assert saved.status_code == 200
    assert "Policy saved" in saved.text
    policy = (await owner.http.get(f"/api/workspaces/{ws}/policy")).json()
    assert policy["personal_keys_allowed"] is False
    assert policy["byok_failure"] == "fallback"
    assert sorted(policy["allowed_providers"]) == ["anthropic", "openai"]
    await _join(owner, ws, bob, "member")
    refused = await bob.post(f"/w/{ws}/admin/policy", data={"byok_failure": "fail"})
    assert refused.status_code == 404
