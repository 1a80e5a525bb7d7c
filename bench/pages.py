"""Server-side render time of the main pages with 1,000 conversations (and 1,000 projects) in
the workspace. Target: every page under 200 ms (median of 20 requests)."""

from __future__ import annotations

import asyncio
import statistics
import time

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from bench.stack import BenchStack, bench_stack

TARGET_MS = 200.0
REQUESTS = 20


async def _measure(stack: BenchStack, database_url: str) -> None:
    async with httpx.AsyncClient(base_url=stack.app_url, timeout=60) as http:
        signup = await http.post(
            "/api/auth/signup",
            json={"email": f"pages-{time.time_ns()}@example.test", "password": "bench password 1"},
        )
        http.headers["X-CSRF-Token"] = signup.json()["csrf_token"]
        me = signup.json()["id"]
        ws = (await http.post("/api/workspaces", json={"name": "Big"})).json()["id"]
        engine = create_async_engine(database_url)
        async with engine.begin() as conn:
            for table, columns in (
                ("projects", "id, workspace_id, name, description, created_by, created_at"),
            ):
                await conn.execute(
                    text(
                        f"INSERT INTO {table} ({columns}) SELECT gen_random_uuid(), :ws,"
                        " 'Project ' || n, '', :me, now() FROM generate_series(1, 1000) AS n"
                    ),
                    {"ws": ws, "me": me},
                )
        await engine.dispose()
        for n in range(1000):
            await http.post(
                f"/api/workspaces/{ws}/conversations",
                json={"title": f"Conversation {n}", "visibility": "shared" if n % 2 else "private"},
            )
        conversation = (await http.get(f"/api/workspaces/{ws}/conversations")).json()[0]["id"]
        pages = [
            f"/w/{ws}",
            f"/w/{ws}/c/new",
            f"/w/{ws}/c/{conversation}",
            f"/w/{ws}/compare",
            f"/w/{ws}/admin",
            f"/w/{ws}/admin/audit",
            f"/w/{ws}/admin/usage",
            f"/w/{ws}/admin/keys",
            "/keys",
        ]
        print(f"{'page':<60} {'p50 ms':>8} {'max ms':>8}  target < {TARGET_MS:.0f} ms")
        for path in pages:
            await http.get(path)
            timings = []
            for _ in range(REQUESTS):
                start = time.perf_counter()
                resp = await http.get(path)
                timings.append((time.perf_counter() - start) * 1000)
                resp.raise_for_status()
            p50 = statistics.median(timings)
            label = path.replace(ws, "{ws}").replace(conversation, "{c}")
            verdict = "met" if p50 < TARGET_MS else "MISSED"
            print(f"{label:<60} {p50:8.1f} {max(timings):8.1f}  {verdict}")


def run_pages_bench() -> None:
    with bench_stack() as stack:
        asyncio.run(_measure(stack, stack.database_url))
