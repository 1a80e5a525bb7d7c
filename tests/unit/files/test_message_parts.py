"""How attachments become parts of a user message, what each model receives, and what the
context fitting counts for them."""

from __future__ import annotations

import uuid

import pytest

from adapters import Image, Message, ModelInfo, Text
from workspace.chat import attachments, context
from workspace.chat.parts import attachments_of, load_parts, text_of
from workspace.files.models import Attachment

VISION = ModelInfo("openai", "gpt-4o", "GPT-4o", 128_000, 16_384, ("text", "image"))
TEXT_ONLY = ModelInfo("groq", "llama", "Llama", 8_192, 4_096, ("text",))


def _attachment(
    kind: str, name: str, *, text: str | None = None, truncated: bool = False
) -> Attachment:
    return Attachment(
        id=uuid.uuid4(),
        workspace_id=uuid.uuid4(),
        uploaded_by=uuid.uuid4(),
        name=name,
        media_type="image/png" if kind == "image" else "application/pdf",
        kind=kind,
        size=3,
        content=b"\x89PN",
        text=text,
        truncated=truncated,
    )


def test_the_user_message_is_the_typed_text_then_each_file_in_order() -> None:
    image = _attachment("image", "chart.png")
    pdf = _attachment("text", "report.pdf", text="Revenue rose.")

    message = attachments.user_message("Compare these", [image, pdf])

    assert message.parts == (
        Text("Compare these"),
        Image("image/png", b"\x89PN"),
        Text("\n\n[Attached file: report.pdf]\nRevenue rose."),
    )


def test_stored_parts_keep_no_image_bytes_and_stay_out_of_the_message_text() -> None:
    image = _attachment("image", "chart.png")
    pdf = _attachment("text", "report.pdf", text="Revenue rose.", truncated=True)
    stored = [{"type": "text", "text": "Look"}, *attachments.stored_parts([image, pdf])]

    assert "data" not in stored[1]
    assert text_of(stored) == "Look"
    assert [p["name"] for p in attachments_of(stored)] == ["chart.png", "report.pdf"]
    assert str(stored[2]["text"]).endswith("[... cut here: the file is longer]")
    # The bytes come back from the attachments table when a history is sent again.
    loaded = load_parts(stored, {str(image.id): b"bytes"})
    assert loaded[1] == Image("image/png", b"bytes")


def test_a_model_without_vision_refuses_an_image_in_the_message_it_answers() -> None:
    messages = (Message("user", (Text("What is this?"), Image("image/png", b"x"))),)
    with pytest.raises(attachments.ModelWithoutVision) as refused:
        attachments.for_model("groq/llama", TEXT_ONLY, messages)
    assert "groq/llama cannot read images" in refused.value.detail


def test_older_images_become_a_note_for_a_text_only_model_and_stay_for_a_vision_one() -> None:
    messages = (
        Message("user", (Text("Look"), Image("image/png", b"x"))),
        Message("assistant", (Text("A cat."),)),
        Message("user", (Text("Thanks"),)),
    )

    assert attachments.for_model("openai/gpt-4o", VISION, messages) == messages
    sent = attachments.for_model("groq/llama", TEXT_ONLY, messages)
    assert not any(isinstance(p, Image) for m in sent for p in m.parts)
    assert "cannot read images" in sent[0].text()


def test_context_fitting_counts_an_image_as_a_fixed_amount_and_a_file_by_its_length() -> None:
    plain = Message("user", (Text("hi"),))
    with_image = Message("user", (Text("hi"), Image("image/png", b"x" * 10)))
    with_file = Message("user", (Text("hi"), Text("y" * 4_000)))

    assert context.estimate_message(with_image) - context.estimate_message(plain) == (
        context.IMAGE_TOKENS
    )
    assert context.estimate_message(with_file) - context.estimate_message(plain) == 1_000
