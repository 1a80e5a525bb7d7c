"""Liveness and readiness probes."""

from __future__ import annotations

import sqlalchemy as sa
from litestar import Response, get

from workspace.runtime import Runtime


@get("/healthz", opt={"access": "public"}, operation_id="healthz", include_in_schema=False)
async def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@get("/readyz", opt={"access": "public"}, operation_id="readyz", include_in_schema=False)
async def readyz(runtime: Runtime) -> Response[dict[str, str]]:
    """PostgreSQL and Vault both answer; otherwise 503 naming what is down.

    ``eviction`` says whether this replica's LISTEN connection (other replicas' secret changes)
    is up; while it reconnects the replica reads secrets without its cache, so it stays ready.
    """
    checks: dict[str, str] = {}
    try:
        async with runtime.engine.connect() as conn:
            await conn.execute(sa.text("SELECT 1"))
        checks["postgres"] = "ok"
    except Exception:
        checks["postgres"] = "unavailable"
    checks["vault"] = "ok" if await runtime.secrets.healthy() else "unavailable"
    ok = all(v == "ok" for v in checks.values())
    checks["eviction"] = runtime.eviction.state if runtime.eviction else "off"
    return Response(
        {"status": "ok" if ok else "unavailable", **checks}, status_code=200 if ok else 503
    )
