"""Attached files in a conversation: the parts a user message carries and how models get them.

Sending claims the caller's unsent uploads (:mod:`workspace.files.service`) and stores them in
the user message as parts naming each attachment (see :mod:`.parts`): images without their
bytes, files as their extracted text. Every later turn, regeneration, model switch or compare
reads the same stored message, so the attachments travel with it; the bytes of a history's
images are fetched again when it is sent.

Vision: a model that does not read images refuses a message that carries one, before any
call, with a sentence saying so. Images earlier in the history are replaced, for that model
only, by a line naming them, so a conversation can still move to a text-only model.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel.ext.asyncio.session import AsyncSession

from adapters import Image, Message, ModelInfo, Part, Text
from workspace.chat import service
from workspace.chat.access import ConversationAccess
from workspace.chat.models import ChatMessage
from workspace.chat.parts import StoredPart, attached_image_ids, load_parts, storable
from workspace.config.settings import Settings
from workspace.errors import InvalidInput
from workspace.files import service as files
from workspace.files.models import Attachment
from workspace.runtime import Runtime

VISION = "image"


class ModelWithoutVision(InvalidInput):
    code = "model_without_vision"


def reads_images(model: ModelInfo) -> bool:
    return VISION in model.modalities


def file_text(attachment: Attachment) -> str:
    """What the model reads of an attached file: its name, then its text. The blank line first
    keeps it apart from the typed text where a wire joins a message's text parts into one."""
    note = "\n[... cut here: the file is longer]" if attachment.truncated else ""
    return f"\n\n[Attached file: {attachment.name}]\n{attachment.text or ''}{note}"


def stored_part(attachment: Attachment) -> StoredPart:
    """The part of the user message that stands for ``attachment``."""
    common: StoredPart = {
        "attachment_id": str(attachment.id),
        "name": attachment.name,
        "media_type": attachment.media_type,
        "size": attachment.size,
    }
    if attachment.kind == "image":
        return {"type": "image", **common}
    return {"type": "text", "text": file_text(attachment), **common}


def stored_parts(attachments: Sequence[Attachment]) -> list[StoredPart]:
    return [{k: storable(v) for k, v in stored_part(a).items()} for a in attachments]


def user_message(
    content: str,
    attachments: Sequence[Attachment],
    kept: Sequence[StoredPart] = (),
    kept_images: dict[str, bytes] | None = None,
) -> Message:
    """The canonical user message: the typed text, the parts kept from an edited message,
    then each new attachment in order."""
    images = {str(a.id): a.content for a in attachments if a.kind == "image"}
    images.update(kept_images or {})
    parts = [*kept, *stored_parts(attachments)]
    return Message("user", (Text(content), *load_parts(parts, images)))


def kept_parts(tree: service.Tree, edit_of: uuid.UUID | None) -> list[StoredPart]:
    """The attachment parts of ``edit_of``, the user message an edit replaces: the edited
    message carries them too (they already belong to this conversation)."""
    if edit_of is None:
        return []
    original = tree.by_id.get(edit_of)
    if original is None or original.role != "user":
        raise service.InvalidParent("edit_of must name a user message of this conversation.")
    return [dict(p) for p in original.parts if "attachment_id" in p]


async def claim(
    settings: Settings, db: AsyncSession, access: ConversationAccess, ids: Sequence[uuid.UUID]
) -> list[Attachment]:
    """The caller's unsent uploads in the conversation's workspace, locked until commit."""
    member = access.member
    return await files.claim(
        db, settings, ids, workspace_id=member.workspace_id, uploader=member.principal.user_id
    )


def parts_of(turn: Turn, kept: Sequence[StoredPart] = ()) -> list[StoredPart]:
    """The parts a new user message stores besides its text: the kept attachments of the
    message it edits, then the new uploads."""
    return [*kept, *stored_parts(turn.attachments)]


async def attach(
    db: AsyncSession,
    access: ConversationAccess,
    message_id: uuid.UUID,
    attachments: Sequence[Attachment],
) -> None:
    """Mark the new uploads sent with the stored user message (its parts already name them)."""
    if attachments:
        await files.link(db, attachments, access.conversation.id, message_id)


@dataclass(frozen=True)
class Turn:
    """A new user message's history as the models receive it, and the uploads it carries."""

    messages: tuple[Message, ...]
    attachments: list[Attachment]


async def new_turn(
    runtime: Runtime,
    db: AsyncSession,
    access: ConversationAccess,
    path: Sequence[ChatMessage],
    content: str,
    ids: Sequence[uuid.UUID],
    kept: Sequence[StoredPart] = (),
) -> Turn:
    """Claim the uploads ``ids`` and build the history ``path`` + the new user message (with
    the ``kept`` parts of the message it edits)."""
    attachments = await claim(runtime.settings, db, access, ids)
    before = await history(db, access.conversation.id, path)
    wanted = {uuid.UUID(i) for i in attached_image_ids(kept) if _is_uuid(i)}
    found = await files.image_bytes(db, access.conversation.id, wanted) if wanted else {}
    images = {str(k): v for k, v in found.items()}
    return Turn((*before, user_message(content, attachments, kept, images)), attachments)


async def history(
    db: AsyncSession, conversation_id: uuid.UUID, path: Sequence[ChatMessage]
) -> tuple[Message, ...]:
    """:func:`service.history` of ``path`` with its attached images' bytes."""
    wanted = [i for m in path for i in attached_image_ids(m.parts)]
    ids = {uuid.UUID(i) for i in wanted if _is_uuid(i)}
    found = await files.image_bytes(db, conversation_id, ids)
    return service.history(path, {str(k): v for k, v in found.items()})


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def for_model(
    model_ref: str, model: ModelInfo, messages: tuple[Message, ...]
) -> tuple[Message, ...]:
    """``messages`` as ``model`` may receive them (see the module docstring on vision)."""
    if reads_images(model) or not any(_has_image(m) for m in messages):
        return messages
    if messages and messages[-1].role == "user" and _has_image(messages[-1]):
        raise ModelWithoutVision(
            f"{model_ref} cannot read images. Pick a model that reads images, or send the "
            "message without them.",
            extra={"model": model_ref},
        )
    return tuple(Message(m.role, _without_images(m.parts)) for m in messages)


def _has_image(message: Message) -> bool:
    return any(isinstance(p, Image) for p in message.parts)


def _without_images(parts: tuple[Part, ...]) -> tuple[Part, ...]:
    return tuple(
        Text("[An image was attached here; this model cannot read images.]")
        if isinstance(p, Image)
        else p
        for p in parts
    )
