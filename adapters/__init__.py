"""Provider adapters: canonical conversation types, normalized errors and provider plugins.

This package imports nothing from the web app, and the app imports only what is named here:
the contract a plugin implements (`Provider`, `hookimpl`), the types that cross it, the errors
it raises and the registry that finds providers. Importing it loads no provider SDK; the
built-in providers load when a plugin manager registers them.
"""

from __future__ import annotations

from adapters.config import AdapterConfig
from adapters.errors import (
    BadRequest,
    Cancelled,
    ContextTooLong,
    InvalidCredentials,
    ModelNotFound,
    PermissionDenied,
    ProviderError,
    ProviderUnavailable,
    QuotaExhausted,
    RateLimited,
    UnsafeBaseURL,
)
from adapters.hookspecs import hookimpl
from adapters.manager import PluginInfo, ProviderRegistry, make_plugin_manager
from adapters.oauth.base import CredentialFileProvider
from adapters.oauth.files import InvalidCredentialFile
from adapters.oauth.memory import MemoryTokenStore
from adapters.provider import Provider
from adapters.ssrf import check_base_url
from adapters.types import (
    ApiKeyCredential,
    ChatRequest,
    Credential,
    CredentialKind,
    ErrorEvent,
    Finish,
    FinishReason,
    Image,
    Message,
    ModelInfo,
    OAuthCredential,
    OAuthTokenStore,
    Part,
    Reasoning,
    ReasoningDelta,
    ReasoningSignature,
    Role,
    Secret,
    StreamEvent,
    Text,
    TextDelta,
    ToolCall,
    ToolCallDelta,
    ToolResult,
    ToolSpec,
    Usage,
    ValidationResult,
    ValidationStatus,
    fingerprint,
)

__all__ = [
    "AdapterConfig",
    "ApiKeyCredential",
    "BadRequest",
    "Cancelled",
    "ChatRequest",
    "ContextTooLong",
    "Credential",
    "CredentialFileProvider",
    "CredentialKind",
    "ErrorEvent",
    "Finish",
    "FinishReason",
    "Image",
    "InvalidCredentialFile",
    "InvalidCredentials",
    "MemoryTokenStore",
    "Message",
    "ModelInfo",
    "ModelNotFound",
    "OAuthCredential",
    "OAuthTokenStore",
    "Part",
    "PermissionDenied",
    "PluginInfo",
    "Provider",
    "ProviderError",
    "ProviderRegistry",
    "ProviderUnavailable",
    "QuotaExhausted",
    "RateLimited",
    "Reasoning",
    "ReasoningDelta",
    "ReasoningSignature",
    "Role",
    "Secret",
    "StreamEvent",
    "Text",
    "TextDelta",
    "ToolCall",
    "ToolCallDelta",
    "ToolResult",
    "ToolSpec",
    "UnsafeBaseURL",
    "Usage",
    "ValidationResult",
    "ValidationStatus",
    "check_base_url",
    "fingerprint",
    "hookimpl",
    "make_plugin_manager",
]
