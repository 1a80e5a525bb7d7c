"""The pages a team judges the product by: unknown URLs, invite pages, key labels and refusals,
the audit filter and the confirmations after a change (issue 9), driven like a browser."""

from __future__ import annotations

import re
import uuid

import httpx

from tests.integration.web.conftest import Browser, session_token
from tests.integration.web.test_workspace_pages import _join
from tests.support import Stack, UserClient
from workspace.audit.actions import AuditAction

HTML = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
_ROW = re.compile(r'<tr data-key="([0-9a-f-]{36})" data-fingerprint="([^"]*)"')


async def _invite_link(owner: Browser, ws: str, role: str = "member") -> str:
    token = await owner.csrf(f"/w/{ws}/admin")
    resp = await owner.http.post(f"/w/{ws}/admin/invites", data={"csrf_token": token, "role": role})
    assert resp.status_code == 200, resp.text
    link = resp.text.split("data-invite-link", 1)[0].rsplit('value="', 1)[1].split('"', 1)[0]
    return "/invites/" + link.rsplit("/", 1)[1]


# --- unknown pages -----------------------------------------------------------------------------
async def test_unknown_page_in_a_browser_is_the_html_error_page(owner: Browser) -> None:
    ws = await owner.create_workspace()
    for path in ("/nope", f"/w/{ws}/nope", f"/w/{ws}/admin/nope"):
        resp = await owner.http.get(path, headers=HTML)
        assert resp.status_code == 404, path
        assert resp.headers["content-type"].startswith("text/html"), path
        assert "<h1>Not found</h1>" in resp.text
        assert '<a href="/">' in resp.text
        assert "default-src 'self'" in resp.headers["content-security-policy"]
        assert '"not_found"' not in resp.text


async def test_unknown_api_path_stays_problem_json(anon: httpx.AsyncClient) -> None:
    for headers in (HTML, {"Accept": "application/json"}):
        resp = await anon.get("/api/nope", headers=headers)
        assert resp.status_code == 404
        assert resp.headers["content-type"].startswith("application/problem+json")
        assert resp.json()["code"] == "not_found"
    # A client that does not ask for HTML keeps getting JSON anywhere.
    plain = await anon.get("/nope", headers={"Accept": "application/json"})
    assert plain.json()["code"] == "not_found"


# --- invites ----------------------------------------------------------------------------------
async def test_invite_page_names_workspace_inviter_and_role(
    owner: Browser, anon: httpx.AsyncClient
) -> None:
    ws = await owner.create_workspace("Acme Research")
    path = await _invite_link(owner, ws, "viewer")
    page = await anon.get(path)
    assert page.status_code == 200
    assert (
        "<strong>Olive</strong> invited you to <strong>Acme Research</strong> as "
        "<strong>viewer</strong>." in page.text
    )
    assert "Create an account" in page.text


async def test_used_invite_says_so_and_offers_no_accept(owner: Browser, bob: UserClient) -> None:
    ws = await owner.create_workspace("Acme")
    path = await _invite_link(owner, ws)
    landing = await bob.get(path)
    assert "Accept invitation" in landing.text
    joined = await bob.http.post(path, data={"csrf_token": session_token(landing.text)})
    assert joined.status_code == 303
    again = await bob.get(path)
    assert again.status_code == 410
    assert "already been used" in again.text
    assert "Accept invitation" not in again.text
    assert "invited you to <strong>Acme</strong>" in again.text


async def test_revoked_and_unknown_invites_have_no_accept(owner: Browser, bob: UserClient) -> None:
    ws = await owner.create_workspace()
    path = await _invite_link(owner, ws)
    invites = (await owner.http.get(f"/api/workspaces/{ws}/invites")).json()
    token = await owner.csrf(f"/w/{ws}/admin")
    revoked = await owner.http.post(
        f"/w/{ws}/admin/invites/{invites[0]['id']}/revoke", data={"csrf_token": token}
    )
    assert revoked.status_code == 303
    page = await bob.get(path)
    assert page.status_code == 410
    assert "withdrawn" in page.text and "Accept invitation" not in page.text
    unknown = await bob.get("/invites/not-a-real-token")
    assert unknown.status_code == 404
    assert "not valid" in unknown.text and "Accept invitation" not in unknown.text


# --- keys -------------------------------------------------------------------------------------
async def test_invalid_key_is_refused_by_the_api_and_not_stored(
    alice: UserClient, stack: Stack
) -> None:
    ws = await alice.create_workspace()
    resp = await alice.post(
        f"/api/workspaces/{ws}/credentials",
        json={"provider": "anthropic", "secret": "sk-ant-invalid-api-0000"},
    )
    assert resp.status_code == 422
    assert resp.headers["content-type"].startswith("application/problem+json")
    body = resp.json()
    assert body["code"] == "invalid_credentials"
    assert "Anthropic" in body["detail"]
    assert "sk-ant-invalid-api-0000" not in resp.text
    assert (await alice.get(f"/api/workspaces/{ws}/credentials")).json() == []
    mine = await alice.post(
        "/api/me/credentials", json={"provider": "openai", "secret": "sk-invalid-me-1111"}
    )
    assert mine.json()["code"] == "invalid_credentials"
    assert (await alice.get("/api/me/credentials")).json() == []


async def test_labels_are_unique_per_owner(alice: UserClient, bob: UserClient) -> None:
    ws = await alice.create_workspace()
    url = f"/api/workspaces/{ws}/credentials"
    first = await alice.post(url, json={"provider": "openai", "secret": "sk-a-1", "label": "Team"})
    assert first.status_code == 201, first.text
    clash = await alice.post(url, json={"provider": "groq", "secret": "sk-b-2", "label": "team "})
    assert clash.status_code == 409
    assert clash.json()["code"] == "duplicate_label"
    assert clash.json()["field"] == "label"
    # Another owner may use the same label: alice's own keys and bob's workspace.
    personal = await alice.post(
        "/api/me/credentials", json={"provider": "openai", "secret": "sk-c-3", "label": "Team"}
    )
    assert personal.status_code == 201
    ws_b = await bob.create_workspace()
    other = await bob.post(
        f"/api/workspaces/{ws_b}/credentials",
        json={"provider": "openai", "secret": "sk-d-4", "label": "Team"},
    )
    assert other.status_code == 201
    # Without a label, the provider's name is numbered until free.
    labels = []
    for n in range(2):
        resp = await alice.post(url, json={"provider": "openai", "secret": f"sk-e-{n}"})
        labels.append(resp.json()["label"])
    assert labels == ["OpenAI", "OpenAI 2"]


async def test_key_page_refuses_an_invalid_key_and_lists_nothing(owner: Browser) -> None:
    token = await owner.csrf("/keys")
    resp = await owner.http.post(
        "/keys",
        data={
            "csrf_token": token,
            "provider": "anthropic",
            "label": "Bad",
            "secret": "sk-ant-invalid-page-7777",
        },
    )
    assert resp.status_code == 422
    assert "The key was not saved:" in resp.text
    assert 'class="flash error"' in resp.text
    assert "sk-ant-invalid-page-7777" not in resp.text
    assert 'value="Bad"' in resp.text
    assert _ROW.findall(resp.text) == []
    assert _ROW.findall((await owner.http.get("/keys")).text) == []


async def test_key_page_names_a_taken_label_on_the_field(owner: Browser) -> None:
    ws = await owner.create_workspace()
    tab = f"/w/{ws}/admin/keys"
    token = await owner.csrf(tab)
    form = {"csrf_token": token, "provider": "openai", "label": "Shared"}
    assert (await owner.http.post(tab, data=form | {"secret": "sk-one-0001"})).status_code == 303
    clash = await owner.http.post(tab, data=form | {"secret": "sk-two-0002"})
    assert clash.status_code == 409
    assert 'aria-invalid="true" aria-describedby="add-label-error"' in clash.text
    assert 'data-field-error="label"' in clash.text
    assert "already a key labelled “Shared”" in clash.text
    assert len(_ROW.findall(clash.text)) == 1


# --- audit ------------------------------------------------------------------------------------
async def test_audit_filter_lists_every_action(owner: Browser) -> None:
    ws = await owner.create_workspace()
    page = (await owner.http.get(f"/w/{ws}/admin/audit")).text
    offered = set(re.findall(r'<option value="([a-z_]+\.[a-z_]+)"', page))
    assert offered == {a.value for a in AuditAction}
    assert len(offered) >= 25
    bad = await owner.http.get(f"/w/{ws}/admin/audit", params={"action": "made.up"})
    assert bad.status_code == 422


async def test_member_rows_name_the_member(owner: Browser, bob: UserClient) -> None:
    ws = await owner.create_workspace()
    await _join(owner, ws, bob, "member")
    token = await owner.csrf(f"/w/{ws}/admin")
    changed = await owner.http.post(
        f"/w/{ws}/admin/members/{bob.id}/role", data={"csrf_token": token, "role": "admin"}
    )
    assert changed.status_code == 303
    audit = await owner.http.get(f"/w/{ws}/admin/audit", params={"action": "member.role_changed"})
    row = audit.text.split('data-action="member.role_changed"', 1)[1].split("</tr>", 1)[0]
    assert f"bob ({bob.email})" in row
    assert "member → admin" in row
    removed = await owner.http.post(
        f"/w/{ws}/admin/members/{bob.id}/remove", data={"csrf_token": token}
    )
    assert removed.status_code == 303
    gone = await owner.http.get(f"/w/{ws}/admin/audit", params={"action": "member.removed"})
    assert f"bob ({bob.email})" in gone.text.split('data-action="member.removed"', 1)[1]


async def test_inverted_date_range_says_so(owner: Browser) -> None:
    ws = await owner.create_workspace()
    resp = await owner.http.get(
        f"/w/{ws}/admin/audit", params={"since": "2026-12-10", "until": "2026-12-01"}
    )
    assert resp.status_code == 200
    assert "data-audit-problem" in resp.text
    assert "is after “To”" in resp.text
    assert 'aria-invalid="true"' in resp.text
    assert 'value="2026-12-10"' in resp.text and 'value="2026-12-01"' in resp.text
    assert "No events match these filters." not in resp.text


async def test_audit_htmx_filter_redraws_the_form_from_the_url(owner: Browser) -> None:
    ws = await owner.create_workspace()
    token = await owner.csrf(f"/w/{ws}/admin/audit")
    resp = await owner.http.get(
        f"/w/{ws}/admin/audit",
        params={"action": "workspace.created"},
        headers={"HX-Request": "true", "HX-Target": "audit-view", "X-CSRF-Token": token},
    )
    assert resp.status_code == 200
    assert "<html" not in resp.text
    assert 'autocomplete="off"' in resp.text
    assert '<option value="workspace.created" selected>' in resp.text
    assert '<option value="" selected>Any action</option>' not in resp.text
    assert resp.text.count("data-action=") == 1


# --- confirmations ----------------------------------------------------------------------------
async def test_role_change_confirms_itself(owner: Browser, bob: UserClient) -> None:
    ws = await owner.create_workspace()
    await _join(owner, ws, bob, "member")
    token = await owner.csrf(f"/w/{ws}/admin")
    plain = await owner.http.post(
        f"/w/{ws}/admin/members/{bob.id}/role", data={"csrf_token": token, "role": "admin"}
    )
    assert plain.status_code == 303
    page = await owner.http.get(plain.headers["location"])
    assert "bob is now an admin." in page.text
    htmx = await owner.http.post(
        f"/w/{ws}/admin/members/{bob.id}/role",
        data={"role": "viewer"},
        headers={"HX-Request": "true", "X-CSRF-Token": token},
    )
    assert 'hx-swap-oob="innerHTML:#flash"' in htmx.text
    assert "bob is now a viewer." in htmx.text
    # A crafted ?done= link cannot put words on the page: the sentence comes from the row.
    crafted = await owner.http.get(f"/w/{ws}/admin", params={"done": "role", "user": "x"})
    assert "data-notice" not in crafted.text
    not_removed = await owner.http.get(f"/w/{ws}/admin", params={"done": "removed", "user": bob.id})
    assert "data-notice" not in not_removed.text
    removed = await owner.http.post(
        f"/w/{ws}/admin/members/{bob.id}/remove", data={"csrf_token": token}
    )
    page = await owner.http.get(removed.headers["location"])
    assert "bob was removed from the workspace." in page.text


async def test_new_project_confirms_itself(owner: Browser) -> None:
    ws = await owner.create_workspace()
    token = await owner.csrf(f"/w/{ws}")
    resp = await owner.http.post(
        f"/w/{ws}/projects", data={"csrf_token": token, "name": "Launch plan"}
    )
    assert resp.status_code == 303
    home = await owner.http.get(resp.headers["location"])
    assert "Project “Launch plan” created." in home.text
    other = await owner.http.get(f"/w/{ws}", params={"created": str(uuid.uuid4())})
    assert "data-notice" not in other.text
