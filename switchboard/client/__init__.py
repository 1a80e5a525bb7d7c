"""A Python client of the Switchboard workspace API (the ``switchboard`` CLI is built on it).

``Client`` (sync) and ``AsyncClient`` (async) on httpx: conversations, ``chat()`` and
``compare()`` streaming typed events (:mod:`.events`), the model catalogue, key checks and
personal keys. Settings: arguments > environment (``SWITCHBOARD_URL``, ``SWITCHBOARD_TOKEN``,
``SWITCHBOARD_WORKSPACE``, ``SWITCHBOARD_MODEL``, the provider key variables) > the CLI's stored
config (:mod:`.stored`). Refusals raise :class:`SwitchboardError` with the server's ``code``.
It imports nothing from the server.
"""

from switchboard.client.asynchronous import AsyncClient
from switchboard.client.errors import SwitchboardError
from switchboard.client.events import (
    ChatEvent,
    ContextTrimmed,
    Delta,
    Fallback,
    MessageEnd,
    MessageStart,
    StreamError,
    Usage,
)
from switchboard.client.keys import PROVIDER_KEY_VARIABLES, LocalKey, choose_request_key
from switchboard.client.sync import Client
from switchboard.client.types import (
    Conversation,
    ConversationDetail,
    KeyCheck,
    Me,
    Message,
    Model,
    StoredKey,
    Workspace,
)

__all__ = [
    "PROVIDER_KEY_VARIABLES",
    "AsyncClient",
    "ChatEvent",
    "Client",
    "ContextTrimmed",
    "Conversation",
    "ConversationDetail",
    "Delta",
    "Fallback",
    "KeyCheck",
    "LocalKey",
    "Me",
    "Message",
    "MessageEnd",
    "MessageStart",
    "Model",
    "StoredKey",
    "StreamError",
    "SwitchboardError",
    "Usage",
    "Workspace",
    "choose_request_key",
]
