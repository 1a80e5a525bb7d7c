"""Tenant isolation on every workspace route, and bad input on every route with a body.

Both tests walk the OpenAPI document, so a new route is covered (or the test says it is not).
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx
import pytest

from tests.support import UserClient

# A valid body for each write route, so the only reason to fail is who is asking.
SAMPLE_BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("post", "/api/workspaces"): {"name": "W"},
    ("patch", "/api/workspaces/{ws_id}"): {"name": "W"},
    ("put", "/api/workspaces/{ws_id}/members/{user_id}/role"): {"role": "member"},
    ("post", "/api/workspaces/{ws_id}/invites"): {"role": "member"},
    ("post", "/api/workspaces/{ws_id}/projects"): {"name": "P"},
    ("patch", "/api/workspaces/{ws_id}/projects/{project_id}"): {"name": "P"},
    ("post", "/api/auth/signup"): {"email": "a@b.test", "password": "long enough pw"},
    ("post", "/api/auth/login"): {"email": "a@b.test", "password": "long enough pw"},
    ("post", "/api/tokens"): {"name": "t"},
}


async def _paths(client: httpx.AsyncClient) -> dict[str, dict[str, Any]]:
    resp = await client.get("/schema/openapi.json")
    paths: dict[str, dict[str, Any]] = resp.json()["paths"]
    return paths


async def test_another_workspaces_objects_are_404_on_every_route(
    alice: UserClient, bob: UserClient
) -> None:
    ws_b = await bob.create_workspace("B")
    project_b = (await bob.post(f"/api/workspaces/{ws_b}/projects", json={"name": "p"})).json()
    invite_b = (await bob.post(f"/api/workspaces/{ws_b}/invites", json={"role": "member"})).json()
    ids = {
        "ws_id": ws_b,
        "project_id": project_b["id"],
        "invite_id": invite_b["id"],
        "user_id": bob.id,
    }
    await alice.create_workspace("A")  # alice is a real member elsewhere
    checked = 0
    for template, operations in (await _paths(alice.http)).items():
        if "{ws_id}" not in template:
            continue
        url = re.sub(r"\{(\w+)\}", lambda m: ids.get(m.group(1), str(uuid.uuid4())), template)
        for method in operations:
            body = SAMPLE_BODIES.get((method, template))
            resp = await alice.request(method.upper(), url, json=body)
            assert resp.status_code == 404, f"{method.upper()} {template}: {resp.status_code}"
            assert resp.json()["code"] == "not_found"
            checked += 1
    assert checked >= 14
    # Nothing of B's changed.
    assert (await bob.get(f"/api/workspaces/{ws_b}")).json()["name"] == "B"
    assert len((await bob.get(f"/api/workspaces/{ws_b}/projects")).json()) == 1


async def test_list_routes_never_show_another_workspaces_rows(
    alice: UserClient, bob: UserClient
) -> None:
    ws_a = await alice.create_workspace("A")
    ws_b = await bob.create_workspace("B")
    await bob.post(f"/api/workspaces/{ws_b}/projects", json={"name": "secret-project"})
    await bob.post(f"/api/workspaces/{ws_b}/invites", json={"role": "member"})
    for path in ("", "/projects", "/members", "/invites", "/audit"):
        text = (await alice.get(f"/api/workspaces/{ws_a}{path}")).text
        assert ws_b not in text and "secret-project" not in text and bob.email not in text
    assert ws_b not in (await alice.get("/api/workspaces")).text


# Routes whose every field has a default: an empty object is a valid (no-op or default) request.
ALL_FIELDS_OPTIONAL = {
    ("post", "/api/workspaces/{ws_id}/invites"),
    ("patch", "/api/workspaces/{ws_id}/projects/{project_id}"),
}

BAD_BODIES: list[tuple[str, bytes, str]] = [
    ("malformed json", b'{"name": ', "application/json"),
    ("wrong type", b'{"name": 42, "email": [], "password": {}, "role": 7}', "application/json"),
    ("missing fields", b"{}", "application/json"),
    ("not an object", b"[1, 2, 3]", "application/json"),
    ("unknown field", b'{"name": "x", "evil": true}', "application/json"),
    ("unknown role", b'{"role": "emperor"}', "application/json"),
    ("overlong name", b'{"name": "' + b"x" * 5000 + b'"}', "application/json"),
    ("oversized body", b'{"name": "' + b"x" * 1_100_000 + b'"}', "application/json"),
]


@pytest.mark.parametrize(
    ("label", "payload", "content_type"), BAD_BODIES, ids=[b[0] for b in BAD_BODIES]
)
async def test_bad_input_is_a_4xx_problem_and_changes_nothing(
    alice: UserClient, label: str, payload: bytes, content_type: str
) -> None:
    ws = await alice.create_workspace("Before")
    project = (await alice.post(f"/api/workspaces/{ws}/projects", json={"name": "keep"})).json()
    ids = {"ws_id": ws, "project_id": project["id"], "user_id": alice.id}
    before_ws = (await alice.get("/api/workspaces")).json()
    checked = 0
    for method, template in SAMPLE_BODIES:
        if template.startswith("/api/auth"):
            continue
        url = re.sub(r"\{(\w+)\}", lambda m: ids[m.group(1)], template)
        resp = await alice.request(
            method.upper(), url, content=payload, headers={"content-type": content_type}
        )
        if label == "missing fields" and (method, template) in ALL_FIELDS_OPTIONAL:
            assert resp.status_code < 300, f"{method} {template} -> {resp.status_code}"
            continue
        assert 400 <= resp.status_code < 500, f"{method} {template} -> {resp.status_code}"
        assert resp.headers["content-type"].startswith("application/problem+json")
        assert "Traceback" not in resp.text
        assert "code" in resp.json()
        checked += 1
    assert checked >= 5
    assert (await alice.get("/api/workspaces")).json() == before_ws
    invites = (await alice.get(f"/api/workspaces/{ws}/invites")).json()
    assert len(invites) == (1 if label == "missing fields" else 0)
    after = (await alice.get(f"/api/workspaces/{ws}/projects/{project['id']}")).json()
    assert after["name"] == "keep"
    members = (await alice.get(f"/api/workspaces/{ws}/members")).json()
    assert [m["role"] for m in members] == ["owner"]


@pytest.mark.parametrize(
    ("label", "payload", "content_type"), BAD_BODIES, ids=[b[0] for b in BAD_BODIES]
)
async def test_bad_input_on_auth_routes_is_a_4xx_problem(
    anon: httpx.AsyncClient, label: str, payload: bytes, content_type: str
) -> None:
    for path in ("/api/auth/signup", "/api/auth/login"):
        resp = await anon.post(path, content=payload, headers={"content-type": content_type})
        assert 400 <= resp.status_code < 500, f"{path}: {resp.status_code}"
        assert resp.headers["content-type"].startswith("application/problem+json")


async def test_bad_path_ids_are_4xx(alice: UserClient) -> None:
    for url in ("/api/workspaces/not-a-uuid", "/api/workspaces/1/projects"):
        resp = await alice.get(url)
        assert 400 <= resp.status_code < 500
        assert resp.headers["content-type"].startswith("application/problem+json")
