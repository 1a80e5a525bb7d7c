"""The admin console's API tokens tab: make a workspace token (secret shown once), see it listed
with its owner, hint and scope, revoke it; the revoked token stops working at the gateway."""

from __future__ import annotations

import re

import httpx

from tests.integration.web.conftest import Browser
from tests.support import Stack

_SECRET = re.compile(r'<code id="new-token">(sb_[^<]+)</code>')


async def test_admin_makes_lists_and_revokes_a_token(owner: Browser, stack: Stack) -> None:
    ws = await owner.create_workspace()
    page = f"/w/{ws}/admin/tokens"
    csrf = await owner.csrf(page)
    made = await owner.http.post(
        page, data={"csrf_token": csrf, "name": "ci", "scope": "models", "expires": "2099-12-31"}
    )
    assert made.status_code == 200, made.text
    match = _SECRET.search(made.text)
    assert match is not None
    secret = match.group(1)
    async with httpx.AsyncClient(
        base_url=stack.url, headers={"Authorization": f"Bearer {secret}"}
    ) as http:
        assert (await http.get("/v1/models")).status_code == 200
        listed = await owner.http.get(page)
        assert secret not in listed.text
        assert "List models only" in listed.text and "2099-12-31" in listed.text
        token_id = re.search(r"/admin/tokens/([0-9a-f-]{36})/revoke", listed.text)
        assert token_id is not None
        revoked = await owner.http.post(
            f"{page}/{token_id.group(1)}/revoke", data={"csrf_token": csrf}
        )
        assert revoked.status_code == 303
        assert (await http.get("/v1/models")).status_code == 401
    assert "No member has a token" in (await owner.http.get(page)).text


async def test_expiry_in_the_past_is_refused_on_the_page(owner: Browser) -> None:
    ws = await owner.create_workspace()
    page = f"/w/{ws}/admin/tokens"
    csrf = await owner.csrf(page)
    resp = await owner.http.post(
        page, data={"csrf_token": csrf, "name": "old", "scope": "api", "expires": "2001-01-01"}
    )
    assert resp.status_code == 422 and "must be in the future" in resp.text
