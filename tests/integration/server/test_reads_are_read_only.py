"""GET handlers never write: every GET route of the API and every page, walked by a member with
real ids, leaves the database exactly as it was (every table's content hashed before and after).
The one write a page used to make (this month's credit grant) now waits for the first call."""

from __future__ import annotations

import re
import uuid

import sqlalchemy as sa

from tests.integration.server.test_hostile_bodies import _own_everything
from tests.support import UserClient
from workspace.runtime import Runtime

# Written by background work that may run at any moment, not by the requests under test.
BACKGROUND = {"live_calls", "usage_events", "alembic_version"}


async def _fingerprint(runtime: Runtime) -> dict[str, str]:
    async with runtime.engine.connect() as conn:
        tables = (
            await conn.execute(
                sa.text("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
            )
        ).scalars()
        prints = {}
        for table in tables:
            if table in BACKGROUND:
                continue
            query = f"SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM \"{table}\" t"  # noqa: E501 - names from pg_tables
            prints[table] = (await conn.execute(sa.text(query))).scalar_one()
        return prints


async def test_every_get_route_and_page_leaves_the_database_untouched(
    alice: UserClient, runtime: Runtime
) -> None:
    owned = await _own_everything(alice)
    ws, conversation = owned.ws, owned.conversation
    document = (await alice.get("/schema/openapi.json")).json()
    pages = [
        f"/w/{ws}",
        f"/w/{ws}/c/new",
        f"/w/{ws}/c/{conversation}",
        f"/w/{ws}/compare",
        f"/w/{ws}/p/{owned.project}",
        f"/w/{ws}/admin",
        f"/w/{ws}/admin/audit",
        f"/w/{ws}/admin/usage",
        f"/w/{ws}/admin/keys",
        f"/w/{ws}/admin/policy",
        "/keys",
    ]
    before = await _fingerprint(runtime)
    walked = 0
    for template, operations in document["paths"].items():
        if "get" not in operations or "{token}" in template:
            continue  # an invite token's GET is the public accept page, walked below
        url = re.sub(r"\{(\w+)\}", lambda m: owned.ids.get(m.group(1), str(uuid.uuid4())), template)
        resp = await alice.get(url)
        assert resp.status_code < 500, f"GET {template}: {resp.status_code}"
        walked += 1
    for page in [*pages, f"/invites/{owned.ids['token']}"]:
        resp = await alice.get(page)
        assert resp.status_code == 200, f"GET {page}: {resp.status_code}"
        walked += 1
    after = await _fingerprint(runtime)
    changed = sorted(t for t in before if before[t] != after.get(t))
    assert not changed, f"GET requests wrote to {changed}"
    assert walked > 30
