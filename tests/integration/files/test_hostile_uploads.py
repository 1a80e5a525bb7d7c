"""Hostile uploads are refused with a stable code or neutralised; none answers 5xx."""

from __future__ import annotations

import httpx
import pytest

from tests.integration.files.conftest import upload
from tests.support import UserClient
from tests.unit.files import samples


async def test_an_html_page_renamed_png_is_refused(alice: UserClient) -> None:
    ws = await alice.create_workspace()
    resp = await upload(alice, ws, "innocent.png", samples.HTML, content_type="image/png")
    assert (resp.status_code, resp.json()["code"]) == (422, "attachment_not_image")


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (samples.pdf_bomb(), "pdf_unreadable"),
        (samples.pdf_pages(201), "pdf_too_many_pages"),
        (samples.pdf_encrypted(), "pdf_encrypted"),
        (b"%PDF-1.7\n" + b"\x8f" * 4000, "pdf_unreadable"),
        (b"\x00\x01\x02binary", "attachment_unsupported"),
        (b"", "attachment_empty"),
    ],
)
async def test_hostile_or_unreadable_files_are_refused_with_their_code(
    alice: UserClient, data: bytes, code: str
) -> None:
    ws = await alice.create_workspace()
    resp = await upload(alice, ws, "file.pdf", data, content_type="application/pdf")
    assert (resp.status_code, resp.json()["code"]) == (422, code)


async def test_a_50_mb_upload_is_refused_by_its_announced_length(alice: UserClient) -> None:
    ws = await alice.create_workspace()
    body = b"x" * (50 * 1024 * 1024)
    try:
        resp = await upload(alice, ws, "huge.txt", body, content_type="text/plain")
    except httpx.WriteError:
        pytest.skip("the server closed the connection before the body was written")
    assert (resp.status_code, resp.json()["code"]) == (413, "request_too_large")


async def test_a_chunked_upload_is_cut_off_once_past_the_limit(alice: UserClient) -> None:
    ws = await alice.create_workspace()
    sent = 0

    async def chunks():  # type: ignore[no-untyped-def]
        nonlocal sent
        yield b'--b\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\n'
        for _ in range(50):
            sent += 1
            yield b"x" * (1024 * 1024)
        yield b"\r\n--b--\r\n"

    resp = await alice.post(
        f"/api/workspaces/{ws}/attachments",
        content=chunks(),
        headers={"content-type": "multipart/form-data; boundary=b"},
    )
    assert (resp.status_code, resp.json()["code"]) == (413, "request_too_large")


async def test_a_name_with_path_separators_and_control_characters_is_neutralised(
    alice: UserClient,
) -> None:
    ws = await alice.create_workspace()
    resp = await upload(alice, ws, "../../etc/\x1b[31mpass\r\nwd\u202e.txt", b"root:x:0:0")
    assert resp.status_code == 201, resp.text
    assert resp.json()["name"] == "[31mpasswd.txt"

    got = await alice.get(f"/api/attachments/{resp.json()['id']}")
    assert got.headers["content-disposition"] == (
        "attachment; filename=\"[31mpasswd.txt\"; filename*=UTF-8''%5B31mpasswd.txt"
    )


@pytest.mark.parametrize(
    "request_kwargs",
    [
        {"json": {"file": "not a file"}},
        {"data": {"file": "a text field"}},
    ],
    ids=["json", "text-field"],
)
async def test_an_upload_without_a_file_is_a_client_error(
    alice: UserClient, request_kwargs: dict[str, object]
) -> None:
    ws = await alice.create_workspace()
    resp = await alice.post(f"/api/workspaces/{ws}/attachments", **request_kwargs)
    assert 400 <= resp.status_code < 500, resp.text
    assert resp.headers["content-type"].startswith("application/problem+json")
