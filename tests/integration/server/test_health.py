"""Probes and the OpenAPI document."""

from __future__ import annotations

import httpx


async def test_healthz_answers_ok(anon: httpx.AsyncClient) -> None:
    resp = await anon.get("/healthz")
    assert resp.status_code == 200
    assert resp.json() == {"status": "ok"}


async def test_readyz_checks_postgres_and_vault(anon: httpx.AsyncClient) -> None:
    resp = await anon.get("/readyz")
    assert resp.status_code == 200, resp.text
    assert resp.json() == {"status": "ok", "postgres": "ok", "vault": "ok", "eviction": "ok"}


async def test_openapi_schema_is_served(anon: httpx.AsyncClient) -> None:
    resp = await anon.get("/schema/openapi.json")
    assert resp.status_code == 200
    paths = resp.json()["paths"]
    assert "/api/auth/signup" in paths
    assert "/api/workspaces/{ws_id}/members" in paths


async def test_unknown_route_is_problem_json(anon: httpx.AsyncClient) -> None:
    resp = await anon.get("/api/nope")
    assert resp.status_code == 404
    assert resp.headers["content-type"].startswith("application/problem+json")
    assert resp.json()["code"] == "not_found"
