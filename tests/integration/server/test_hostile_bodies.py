"""Hostile bytes on every write route: never a 500, always a 400 problem with a stable code.

The walk reads the OpenAPI document, so a new write route is covered without touching this file.
Each POST/PUT/PATCH gets four bodies, as the signed-in owner of everything the path names:
invalid UTF-8, a 200,000-deep array, a 200,000-deep object, and an object whose every string
field (taken from the route's request schema) holds a NUL. Then nothing may have been stored.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.support import UserClient

DEEP = 200_000
NUL_TEXT = "before\u0000after"
HOSTILE: list[tuple[str, str]] = [
    ("invalid utf-8", "invalid_encoding"),
    ("deep array", "too_deeply_nested"),
    ("deep object", "too_deeply_nested"),
    ("nul in every string", "invalid_characters"),
]
WRITES = ("post", "put", "patch")


@dataclass
class Owned:
    """Alice's own objects, so path parameters name real rows she may write to."""

    ids: dict[str, str]
    ws: str
    project: str
    conversation: str


async def _own_everything(alice: UserClient) -> Owned:
    ws = await alice.create_workspace("Hostile")
    project = (await alice.post(f"/api/workspaces/{ws}/projects", json={"name": "keep"})).json()
    conversation = await alice.post(f"/api/workspaces/{ws}/conversations", json={})
    assert conversation.status_code == 201, conversation.text
    invite = (await alice.post(f"/api/workspaces/{ws}/invites", json={"role": "member"})).json()
    token = (await alice.post("/api/tokens", json={"name": "t"})).json()
    cred = await alice.post(
        f"/api/workspaces/{ws}/credentials",
        json={"provider": "openai", "secret": "sk-test-hostile-0000", "label": "main"},
    )
    assert cred.status_code == 201, cred.text
    ids = {
        "ws_id": ws,
        "project_id": project["id"],
        "conversation_id": conversation.json()["id"],
        "invite_id": invite["id"],
        "token": invite["token"],
        "token_id": token["id"],
        "cred_id": cred.json()["id"],
        "user_id": alice.id,
    }
    return Owned(ids, ws, project["id"], conversation.json()["id"])


def _schema_of(document: dict[str, Any], operation: dict[str, Any]) -> dict[str, Any]:
    """The JSON request schema of ``operation`` with its ``$ref`` followed ({} if it has none)."""
    content = operation.get("requestBody", {}).get("content", {})
    schema: dict[str, Any] = content.get("application/json", {}).get("schema", {})
    ref = schema.get("$ref")
    if isinstance(ref, str):
        resolved: dict[str, Any] = document["components"]["schemas"][ref.rsplit("/", 1)[-1]]
        return resolved
    return schema


def _is_text(field: dict[str, Any]) -> bool:
    kinds = [field, *field.get("oneOf", []), *field.get("anyOf", [])]
    return any(k.get("type") == "string" for k in kinds)


def _nul_object(schema: dict[str, Any]) -> dict[str, str]:
    """Every string field of the schema holding a NUL (one made-up field if there is none)."""
    fields = {name: NUL_TEXT for name, f in schema.get("properties", {}).items() if _is_text(f)}
    return fields or {"text": NUL_TEXT}


def _body(label: str, schema: dict[str, Any]) -> bytes:
    if label == "invalid utf-8":
        return b'{"name": "\xff\xfe\xc3\x28"}'
    if label == "deep array":
        return b"[" * DEEP + b"]" * DEEP
    if label == "deep object":
        # Empty keys keep 200,000 levels under the 1 MiB body limit (a 413 is not the point).
        return b'{"":' * DEEP + b"1" + b"}" * DEEP
    return httpx.Request("POST", "/", json=_nul_object(schema)).content


def _assert_refused(resp: httpx.Response, code: str, what: str) -> None:
    assert resp.status_code == 400, f"{what}: {resp.status_code} {resp.text[:200]}"
    assert resp.headers["content-type"].startswith("application/problem+json"), what
    assert resp.json()["code"] == code, f"{what}: {resp.json()}"
    assert "Traceback" not in resp.text


async def _snapshot(alice: UserClient, owned: Owned) -> dict[str, Any]:
    ws = owned.ws
    return {
        "workspaces": (await alice.get("/api/workspaces")).json(),
        "projects": (await alice.get(f"/api/workspaces/{ws}/projects")).json(),
        "conversations": (await alice.get(f"/api/workspaces/{ws}/conversations")).json(),
        "conversation": (await alice.get(f"/api/conversations/{owned.conversation}")).json(),
        "invites": (await alice.get(f"/api/workspaces/{ws}/invites")).json(),
        "credentials": (await alice.get(f"/api/workspaces/{ws}/credentials")).json(),
        "my_credentials": (await alice.get("/api/me/credentials")).json(),
        "tokens": [t["id"] for t in (await alice.get("/api/tokens")).json()],
        "members": (await alice.get(f"/api/workspaces/{ws}/members")).json(),
    }


@pytest.mark.parametrize(("label", "code"), HOSTILE, ids=[h[0] for h in HOSTILE])
async def test_hostile_bodies_on_every_write_route_are_400_and_change_nothing(
    alice: UserClient, label: str, code: str
) -> None:
    owned = await _own_everything(alice)
    before = await _snapshot(alice, owned)
    document = (await alice.get("/schema/openapi.json")).json()
    checked = 0
    for template, operations in document["paths"].items():
        url = re.sub(r"\{(\w+)\}", lambda m: owned.ids.get(m.group(1), str(uuid.uuid4())), template)
        for method, operation in operations.items():
            if method not in WRITES:
                continue
            body = _body(label, _schema_of(document, operation))
            resp = await alice.request(
                method.upper(), url, content=body, headers={"content-type": "application/json"}
            )
            _assert_refused(resp, code, f"{method.upper()} {template} ({label})")
            checked += 1
    assert checked >= 25
    # The session survived (logout was refused too) and nothing was created or changed.
    assert await _snapshot(alice, owned) == before


async def test_a_nul_in_a_key_label_or_message_is_refused_before_any_service(
    alice: UserClient,
) -> None:
    owned = await _own_everything(alice)
    before = await _snapshot(alice, owned)
    attempts = [
        (f"/api/workspaces/{owned.ws}/projects", {"name": "a\u0000"}),
        ("/api/me/credentials", {"provider": "openai", "secret": "sk-x", "label": "\u0000"}),
        (f"/api/conversations/{owned.conversation}/messages", {"content": "hi\u0000"}),
        ("/api/auth/signup", {"email": "n@x.test", "password": "p" * 12, "name": "\u0000"}),
    ]
    for url, body in attempts:
        _assert_refused(await alice.post(url, json=body), "invalid_characters", url)
    assert await _snapshot(alice, owned) == before


async def test_an_escaped_backslash_before_u0000_is_ordinary_text(alice: UserClient) -> None:
    ws = await alice.create_workspace("Literal")
    # JSON text "C:\\u0000": a backslash followed by the five characters u0000, no NUL.
    resp = await alice.post(
        f"/api/workspaces/{ws}/projects",
        content=b'{"name": "C:\\\\u0000"}',
        headers={"content-type": "application/json"},
    )
    assert resp.status_code == 201, resp.text
    assert resp.json()["name"] == "C:\\u0000"


async def test_nesting_up_to_the_limit_is_not_refused_by_the_guard(alice: UserClient) -> None:
    ws = await alice.create_workspace("Nesting")
    shallow = b"[" * 64 + b"]" * 64
    resp = await alice.post(
        f"/api/workspaces/{ws}/projects",
        content=shallow,
        headers={"content-type": "application/json"},
    )
    # The route wants an object: the schema refuses it, not the depth limit.
    assert resp.status_code == 400
    assert resp.json()["code"] == "validation_error"
    deeper = b"[" * 65 + b"]" * 65
    resp = await alice.post(
        f"/api/workspaces/{ws}/projects", content=deeper, headers={"content-type": "text/plain"}
    )
    _assert_refused(resp, "too_deeply_nested", "65 deep")
    assert resp.json()["max_depth"] == 64


async def test_a_nul_in_the_query_or_the_path_is_refused(alice: UserClient) -> None:
    ws = await alice.create_workspace("Query")
    resp = await alice.get(f"/api/workspaces/{ws}/audit", params={"action": "a\u0000"})
    _assert_refused(resp, "invalid_characters", "audit filter")
    resp = await alice.post("/api/invites/abc%00def/accept")
    _assert_refused(resp, "invalid_characters", "invite token")


# --- the pages' forms ---------------------------------------------------------------------------
async def _workspace_names(alice: UserClient) -> list[str]:
    return [w["name"] for w in (await alice.get("/api/workspaces")).json()]


@pytest.mark.parametrize("encoding", ["urlencoded", "multipart"])
async def test_page_forms_with_a_nul_are_400_and_create_nothing(
    alice: UserClient, encoding: str
) -> None:
    ws = await alice.create_workspace("Pages")
    token = alice.http.headers["X-CSRF-Token"]
    html = {"accept": "text/html"}
    before_ws = await _workspace_names(alice)
    before_projects = (await alice.get(f"/api/workspaces/{ws}/projects")).json()
    for url in ("/workspaces", f"/w/{ws}/projects"):
        fields = {"csrf_token": token, "name": "Evil\u0000Corp"}
        if encoding == "urlencoded":
            resp = await alice.post(url, data=fields, headers=html)
        else:
            parts = {k: (None, v.encode()) for k, v in fields.items()}
            resp = await alice.post(url, files=parts, headers=html)
        assert resp.status_code == 400, f"{url}: {resp.status_code}"
        assert resp.headers["content-type"].startswith("text/html"), url
        assert "NUL character" in resp.text
        assert "Traceback" not in resp.text
    assert await _workspace_names(alice) == before_ws
    assert (await alice.get(f"/api/workspaces/{ws}/projects")).json() == before_projects


async def test_a_page_form_in_broken_utf8_is_400(alice: UserClient) -> None:
    token = alice.http.headers["X-CSRF-Token"]
    before = await _workspace_names(alice)
    resp = await alice.post(
        "/workspaces",
        content=f"csrf_token={token}&name=%FF%FE".encode(),
        headers={"content-type": "application/x-www-form-urlencoded", "accept": "text/html"},
    )
    assert resp.status_code == 400
    assert resp.headers["content-type"].startswith("text/html")
    assert await _workspace_names(alice) == before
