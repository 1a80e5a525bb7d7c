"""The workspace page's import form: a file opens as its first conversation; a refused file
says why on the page and stores nothing. Exports are links in every conversation menu."""

from __future__ import annotations

from pathlib import Path

from tests.integration.web.conftest import Browser

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "chatgpt_conversations.json"


async def test_an_imported_file_opens_its_first_conversation(owner: Browser) -> None:
    ws = await owner.create_workspace()
    token = await owner.csrf(f"/w/{ws}")

    resp = await owner.http.post(
        f"/w/{ws}/import",
        data={"csrf_token": token},
        files={"file": ("conversations.json", FIXTURE.read_bytes(), "application/json")},
    )

    assert resp.status_code == 303, resp.text
    page = await owner.http.get(resp.headers["location"])
    assert page.status_code == 200
    assert "Packing list for Lisbon" in page.text
    assert "Layers, walking shoes, rain jacket." in page.text
    assert "/export?format=markdown&amp;scope=branch" in page.text


async def test_a_refused_file_says_why_on_the_workspace_page(owner: Browser) -> None:
    ws = await owner.create_workspace()
    token = await owner.csrf(f"/w/{ws}")

    resp = await owner.http.post(
        f"/w/{ws}/import",
        data={"csrf_token": token},
        files={"file": ("notes.json", b"<html>hello</html>", "application/json")},
    )

    assert resp.status_code == 422
    assert 'role="alert" id="import-error">The file is not JSON.' in resp.text
    home = await owner.http.get(f"/w/{ws}")
    assert "No conversations yet." in home.text
