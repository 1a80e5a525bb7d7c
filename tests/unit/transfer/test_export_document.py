"""What an export says about a message: text as written, attachments and images described, and
the Markdown page a person reads."""

from __future__ import annotations

import base64
import uuid
from typing import Any

import msgspec

from workspace.chat.models import ChatMessage
from workspace.transfer.document import FORMAT, VERSION, ConversationDoc
from workspace.transfer.export import _message, to_markdown
from workspace.transfer.importers import ImportLimits, read_import


def _stored(role: str, parts: list[dict[str, object]], **fields: Any) -> ChatMessage:
    return ChatMessage(conversation_id=uuid.uuid4(), role=role, parts=parts, **fields)


def _doc(*messages: ChatMessage, scope: str = "branch") -> ConversationDoc:
    return ConversationDoc(
        FORMAT,
        VERSION,
        "Attachments",
        [_message(m, {}, set()) for m in messages],
        scope=scope,  # type: ignore[arg-type]
    )


def test_attachments_are_described_and_left_out_of_an_import() -> None:
    question = _stored(
        "user",
        [
            {"type": "text", "text": "Summarise the report."},
            {
                "type": "text",
                "text": "report.txt:\nQ3 was good.",
                "attachment_id": "a1",
                "name": "report.txt",
            },
            {
                "type": "image",
                "media_type": "image/png",
                "attachment_id": "a2",
                "name": "chart.png",
            },
            {
                "type": "image",
                "media_type": "image/gif",
                "data": base64.b64encode(b"GIF89a").decode(),
            },
        ],
    )
    doc = _doc(question)

    parts = msgspec.to_builtins(doc.messages[0].parts)
    assert parts == [
        {"type": "text", "text": "Summarise the report."},
        {"type": "text", "text": "report.txt:\nQ3 was good.", "attachment": "report.txt"},
        {"type": "image", "media_type": "image/png", "attachment": "chart.png"},
        {"type": "image", "media_type": "image/gif", "size_bytes": 6},
    ]
    page = to_markdown(doc)
    assert "*[attached: report.txt]*" in page and "Q3 was good" not in page
    assert "*[attached: chart.png]*" in page and "*[image: image/gif]*" in page
    [imported] = read_import(msgspec.json.encode(doc), ImportLimits(1, 10))
    assert imported.nodes[0].texts == ("Summarise the report.",)


def test_markdown_names_the_speaker_and_marks_failed_answers() -> None:
    question = _stored("user", [{"type": "text", "text": "Hello?"}])
    answer = _stored(
        "assistant",
        [{"type": "text", "text": "Hi"}],
        parent_id=question.id,
        provider="anthropic",
        model="anthropic/claude-sonnet-4",
        status="incomplete",
    )

    page = to_markdown(_doc(question, answer))

    assert page.startswith("# Attachments\n")
    assert "**You**\n\nHello?" in page
    assert "**anthropic/claude-sonnet-4**\n\nHi\n\n*(answer stopped early)*" in page
