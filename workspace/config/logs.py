"""One logging setup for the process, with a filter that masks anything shaped like a secret.

Structured (JSON) in production, readable on a console otherwise. The redaction filter runs on
every record, message and arguments alike, so a key that slips into a log line is masked.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime

from workspace.config.settings import Settings

_SECRET_PATTERNS = [
    re.compile(r"\b(sk-(?:ant-|proj-)?|gsk_|sb_|AIza|xai-|ya29\.)[A-Za-z0-9_\-\.]{8,}"),
    re.compile(r"(?i)\b(bearer\s+)[A-Za-z0-9_\-\.=]{8,}"),
    re.compile(
        r"(?i)(\"?(?:api[_-]?key|access_token|refresh_token|secret|password|token)\"?\s*[:=]\s*\"?)[^\s\",}]{6,}"
    ),
]


def redact(text: str) -> str:
    """Mask key- and token-shaped substrings, keeping a short recognisable prefix."""
    for pattern in _SECRET_PATTERNS:
        text = pattern.sub(lambda m: f"{m.group(1)}[REDACTED]", text)
    return text


_base_factory = logging.getLogRecordFactory()


def _redacting_factory(*args: object, **kwargs: object) -> logging.LogRecord:
    """Every record, wherever it is handled (our handler, pytest's, a library's), is redacted."""
    record = _base_factory(*args, **kwargs)
    RedactingFilter().filter(record)
    return record


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        payload = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        if record.exc_text:
            payload["exc"] = record.exc_text
        return json.dumps(payload)


def configure_logging(settings: Settings) -> None:
    logging.setLogRecordFactory(_redacting_factory)
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RedactingFilter())
    if settings.log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s"))
    root = logging.getLogger()
    for existing in list(root.handlers):
        if getattr(existing, "_switchboard", False):
            root.removeHandler(existing)
    handler._switchboard = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(settings.log_level.upper())
    # httpx2/httpcore2: the HTTP client some provider SDKs ship, which logs every request at INFO.
    for noisy in ("httpx", "httpcore", "httpx2", "httpcore2", "hvac", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
