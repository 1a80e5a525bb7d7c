"""Key pages: "My keys" and the admin keys tab, driven like a browser (forms, CSRF, redirects).

The simulator decides a key's fate by a word inside it: ``invalid`` is refused, anything else is
accepted. Every test checks that the secret it typed never comes back: not in a page, not in a
redirect's Location, not in a flash.
"""

from __future__ import annotations

import html
import json
import re
import time
import uuid

import httpx

from tests.integration.web.conftest import Browser
from tests.integration.web.test_workspace_pages import _join
from tests.support import Stack, UserClient

_ROW = re.compile(r'<tr data-key="([0-9a-f-]{36})" data-fingerprint="([^"]*)"')


def _rows(page: str) -> dict[str, str]:
    """Credential id -> fingerprint, as the key table lists them."""
    return dict(_ROW.findall(page))


def _flash(page: str) -> str:
    match = re.search(r"<p class=\"flash [a-z]+\" role=\"[a-z]+\" data-flash>(.*?)</p>", page, re.S)
    assert match, "the page shows no flash"
    return html.unescape(match.group(1))


def _no_secret(resp: httpx.Response, *secrets: str) -> None:
    for secret in secrets:
        assert secret not in resp.text
        assert secret not in resp.headers.get("location", "")


async def _post(b: Browser, page: str, action: str, data: dict[str, str]) -> httpx.Response:
    """Post a form from ``page`` (which supplies the CSRF token) to ``action``."""
    token = await b.csrf(page)
    return await b.http.post(action, data={"csrf_token": token, **data})


async def _follow(b: Browser, resp: httpx.Response) -> httpx.Response:
    assert resp.status_code == 303, resp.text
    location = resp.headers["location"]
    page = await b.http.get(location)
    assert page.status_code == 200, page.text
    return page


async def test_add_personal_key_shows_fingerprint_and_sentence(owner: Browser) -> None:
    secret = f"sk-page-valid-{uuid.uuid4().hex[:8]}-0001"
    empty = await owner.http.get("/keys")
    assert empty.status_code == 200
    assert "No personal keys yet." in empty.text
    assert 'type="password" autocomplete="off"' in empty.text
    resp = await _post(
        owner, "/keys", "/keys", {"provider": "openai", "label": "Mine", "secret": secret}
    )
    _no_secret(resp, secret)
    assert resp.headers["location"].startswith("/keys?done=added&key=")
    page = await _follow(owner, resp)
    _no_secret(page, secret)
    assert list(_rows(page.text).values()) == ["sk-...0001"]
    assert "OpenAI accepted this key." in _flash(page.text)
    assert 'class="status status-valid">valid<' in page.text
    assert 'class="just-changed"' in page.text


async def test_invalid_key_shows_the_rejection_sentence_and_is_not_saved(owner: Browser) -> None:
    secret = "sk-ant-invalid-page-9999"
    resp = await _post(owner, "/keys", "/keys", {"provider": "anthropic", "secret": secret})
    assert resp.status_code == 422
    _no_secret(resp, secret)
    flash = _flash(resp.text)
    assert flash.startswith("The key was not saved:")
    assert "Anthropic" in flash and "accepted" not in flash
    assert 'class="flash error"' in resp.text
    assert _rows(resp.text) == {}
    assert _rows((await owner.http.get("/keys")).text) == {}


async def test_rotate_to_a_bad_key_changes_nothing_then_a_good_one_does(owner: Browser) -> None:
    first, bad, good = (
        "sk-rotate-first-aaaa1111",
        "sk-invalid-rotate-2222",
        "sk-rotate-next-bbbb3333",
    )
    page = await _follow(
        owner, await _post(owner, "/keys", "/keys", {"provider": "openai", "secret": first})
    )
    (cred,) = _rows(page.text)
    refused = await _post(owner, "/keys", f"/keys/{cred}/rotate", {"secret": bad})
    assert refused.status_code == 422
    _no_secret(refused, bad, first)
    assert "nothing changed" in _flash(refused.text)
    assert _rows(refused.text) == {cred: "sk-...1111"}
    again = await owner.http.get("/keys")
    assert _rows(again.text) == {cred: "sk-...1111"}
    rotated = await _post(owner, "/keys", f"/keys/{cred}/rotate", {"secret": good})
    _no_secret(rotated, good)
    page = await _follow(owner, rotated)
    _no_secret(page, good, first)
    assert _rows(page.text) == {cred: "sk-...3333"}
    assert "sk-...3333" in _flash(page.text)


async def test_validate_again_and_remove_with_a_confirm_step(owner: Browser) -> None:
    secret = "sk-remove-me-cccc4444"
    page = await _follow(
        owner, await _post(owner, "/keys", "/keys", {"provider": "groq", "secret": secret})
    )
    (cred,) = _rows(page.text)
    checked = await _follow(owner, await _post(owner, "/keys", f"/keys/{cred}/validate", {}))
    assert "Checked" in _flash(checked.text)
    # The first press only asks; nothing is removed yet.
    asking = await _post(owner, "/keys", f"/keys/{cred}/delete", {})
    assert asking.status_code == 200
    assert f'data-confirm="{cred}"' in asking.text
    assert 'name="confirm" value="yes"' in asking.text
    assert cred in _rows((await owner.http.get("/keys")).text)
    gone = await _follow(
        owner, await _post(owner, "/keys", f"/keys/{cred}/delete", {"confirm": "yes"})
    )
    assert _rows(gone.text) == {}
    assert "Key removed" in _flash(gone.text)
    _no_secret(gone, secret)


async def test_another_users_key_is_not_found(owner: Browser, stack: Stack) -> None:
    page = await _follow(
        owner,
        await _post(
            owner, "/keys", "/keys", {"provider": "openai", "secret": "sk-mine-only-dddd5555"}
        ),
    )
    (cred,) = _rows(page.text)
    async with httpx.AsyncClient(base_url=stack.url, timeout=30) as http:
        other = Browser(http)
        assert (await other.signup("Mallory")).status_code == 303
        for action in ("validate", "delete"):
            resp = await _post(other, "/keys", f"/keys/{cred}/{action}", {"confirm": "yes"})
            assert resp.status_code == 404, action
            assert "No such credential." in _flash(resp.text)
    assert cred in _rows((await owner.http.get("/keys")).text)


async def test_form_errors_keep_what_was_typed_but_not_the_secret(owner: Browser) -> None:
    secret = "sk-compat-needs-url-eeee6666"
    resp = await _post(
        owner,
        "/keys",
        "/keys",
        {"provider": "openai_compatible", "label": "Local", "secret": secret},
    )
    assert resp.status_code == 422
    assert "base_url" in _flash(resp.text)
    assert 'value="Local"' in resp.text
    assert '<option value="openai_compatible" selected>' in resp.text
    _no_secret(resp, secret)
    missing = await _post(owner, "/keys", "/keys", {"provider": "openai", "secret": " "})
    assert missing.status_code == 422
    assert "Paste the key" in _flash(missing.text)


async def test_openai_compatible_key_takes_a_base_url(owner: Browser, stack: Stack) -> None:
    assert stack.simulator_url is not None
    resp = await _post(
        owner,
        "/keys",
        "/keys",
        {
            "provider": "openai_compatible",
            "secret": "sk-compat-ok-ffff7777",
            "base_url": f"{stack.simulator_url}/v1",
        },
    )
    page = await _follow(owner, resp)
    assert list(_rows(page.text).values()) == ["sk-...7777"]


async def test_base_url_is_ignored_for_other_providers(owner: Browser) -> None:
    resp = await _post(
        owner,
        "/keys",
        "/keys",
        {
            "provider": "openai",
            "secret": "sk-no-url-here-gggg8888",
            "base_url": "https://elsewhere.example/v1",
        },
    )
    page = await _follow(owner, resp)
    assert list(_rows(page.text).values()) == ["sk-...8888"]


async def test_subscription_logins_show_the_terms_and_name_a_missing_field(
    owner: Browser, stack: Stack
) -> None:
    assert "claude_code" in stack.settings.credential_file_providers
    page = await owner.http.get("/keys")
    assert "Subscription logins" in page.text
    assert "Anthropic&#39;s terms forbid" in page.text or "Anthropic's terms forbid" in page.text
    assert "Google&#39;s terms forbid" in page.text or "Google's terms forbid" in page.text
    token = "sim-ok-page-access-token-1234"
    resp = await _post(
        owner,
        "/keys",
        "/keys/files",
        {
            "provider": "claude_code",
            "credentials_json": json.dumps({"claudeAiOauth": {"accessToken": token}}),
        },
    )
    assert resp.status_code == 422
    assert "claudeAiOauth.refreshToken" in _flash(resp.text)
    _no_secret(resp, token)
    assert 'data-login="claude_code" open' in resp.text
    not_json = await _post(
        owner, "/keys", "/keys/files", {"provider": "gemini_cli", "credentials_json": "{nope"}
    )
    assert not_json.status_code == 422
    assert "not valid JSON" in _flash(not_json.text)


async def test_a_valid_login_is_listed_without_its_tokens(owner: Browser) -> None:
    access, refresh = "sim-ok-access-hhhh9999", "sim-ok-refresh-iiii0000"
    data = {
        "claudeAiOauth": {
            "accessToken": access,
            "refreshToken": refresh,
            "expiresAt": int((time.time() + 3600) * 1000),
            "scopes": ["user:inference"],
        }
    }
    resp = await _post(
        owner,
        "/keys",
        "/keys/files",
        {"provider": "claude_code", "label": "Max", "credentials_json": json.dumps(data)},
    )
    page = await _follow(owner, resp)
    _no_secret(page, access, refresh)
    assert "subscription login" in page.text
    assert len(_rows(page.text)) == 1


async def test_admin_keys_tab_manages_workspace_keys(owner: Browser) -> None:
    ws = await owner.create_workspace("Keys Inc")
    tab = f"/w/{ws}/admin/keys"
    assert "No workspace keys yet." in (await owner.http.get(tab)).text
    # No credential files here: they are personal.
    assert "data-logins" not in (await owner.http.get(tab)).text
    assert "credentials_json" not in (await owner.http.get(tab)).text
    secret = "sk-workspace-key-jjjj1212"
    resp = await _post(owner, tab, tab, {"provider": "openai", "label": "Team", "secret": secret})
    assert resp.headers["location"].startswith(f"{tab}?done=added")
    page = await _follow(owner, resp)
    _no_secret(resp, secret)
    _no_secret(page, secret)
    (cred,) = _rows(page.text)
    assert "OpenAI accepted this key." in _flash(page.text)
    # Workspace keys do not show up as personal ones, and the other way round.
    assert cred not in _rows((await owner.http.get("/keys")).text)
    bad = await _post(owner, tab, f"{tab}/{cred}/rotate", {"secret": "sk-invalid-ws-3434"})
    assert bad.status_code == 422 and _rows(bad.text) == {cred: "sk-...1212"}
    await _follow(owner, await _post(owner, tab, f"{tab}/{cred}/validate", {}))
    asking = await _post(owner, tab, f"{tab}/{cred}/delete", {})
    assert f'data-confirm="{cred}"' in asking.text
    gone = await _follow(owner, await _post(owner, tab, f"{tab}/{cred}/delete", {"confirm": "yes"}))
    assert _rows(gone.text) == {}
    # A credential file cannot be added as a workspace key.
    file_post = await _post(owner, tab, tab, {"provider": "claude_code", "secret": "{}"})
    assert file_post.status_code == 422


async def test_admin_keys_tab_is_404_for_a_member(owner: Browser, bob: UserClient) -> None:
    ws = await owner.create_workspace()
    await _join(owner, ws, bob, "member")
    tab = f"/w/{ws}/admin/keys"
    assert (await bob.get(tab)).status_code == 404
    for suffix in (
        "",
        f"/{uuid.uuid4()}/validate",
        f"/{uuid.uuid4()}/rotate",
        f"/{uuid.uuid4()}/delete",
    ):
        resp = await bob.post(tab + suffix, data={"provider": "openai", "secret": "sk-member-kkkk"})
        assert resp.status_code == 404, suffix
    # The member still has their own keys page, linked from the shell.
    assert 'href="/keys"' in (await bob.get(f"/w/{ws}")).text
    assert (await bob.get("/keys")).status_code == 200


async def test_signed_out_visitor_is_sent_to_sign_in(browser: Browser) -> None:
    resp = await browser.http.get("/keys")
    assert resp.status_code == 303
    assert resp.headers["location"] == "/login?next=/keys"
    post = await browser.http.post("/keys", data={"provider": "openai", "secret": "sk-anon-llll"})
    assert post.status_code == 303
    assert "sk-anon" not in post.headers["location"]


async def test_form_without_csrf_token_is_refused(owner: Browser) -> None:
    resp = await owner.http.post("/keys", data={"provider": "openai", "secret": "sk-nocsrf-mmmm"})
    assert resp.status_code == 403
    assert _rows((await owner.http.get("/keys")).text) == {}


async def test_sealed_vault_is_a_flash_and_saved_keys_stay(owner: Browser, stack: Stack) -> None:
    assert stack.openbao is not None
    page = await _follow(
        owner,
        await _post(
            owner, "/keys", "/keys", {"provider": "openai", "secret": "sk-before-seal-nnnn0001"}
        ),
    )
    (cred,) = _rows(page.text)
    token = await owner.csrf("/keys")
    secret = "sk-during-seal-oooo0002"
    stack.openbao.seal()
    try:
        resp = await owner.http.post(
            "/keys", data={"csrf_token": token, "provider": "openai", "secret": secret}
        )
    finally:
        stack.openbao.unseal()
    assert resp.status_code == 503
    assert "Traceback" not in resp.text
    assert _flash(resp.text)
    _no_secret(resp, secret)
    assert _rows(resp.text) == {cred: "sk-...0001"}
    assert _rows((await owner.http.get("/keys")).text) == {cred: "sk-...0001"}
