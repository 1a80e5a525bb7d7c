"""What the CLI keeps on this machine, and where.

- ``config.toml`` in the user config directory (``$XDG_CONFIG_HOME/switchboard``, usually
  ``~/.config/switchboard``): the server URL, the workspace, the active provider and each
  provider's default model. Never a token or a key.
- Secrets (the API token, local provider keys) in the OS keychain through ``keyring``
  (service ``switchboard``). Without a usable keychain backend (a server, a container, CI),
  a ``keys.json`` file in the user data directory (``~/.local/share/switchboard``), mode 0600
  in a 0700 directory, as the ``gh`` and ``llm`` CLIs do.
"""

from __future__ import annotations

import json
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import keyring
import platformdirs

SERVICE = "switchboard"
SecretPlace = Literal["keychain", "file"]


def config_path() -> Path:
    return Path(platformdirs.user_config_dir(SERVICE)) / "config.toml"


def secrets_path() -> Path:
    return Path(platformdirs.user_data_dir(SERVICE)) / "keys.json"


def last_used_path() -> Path:
    return Path(platformdirs.user_data_dir(SERVICE)) / "last_used.json"


def last_used(path: Path | None = None) -> dict[str, str]:
    """When this machine last sent each provider's local key (ISO times; no secret)."""
    try:
        data = json.loads((path or last_used_path()).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def record_last_used(provider: str, when: str, path: Path | None = None) -> None:
    path = path or last_used_path()
    entries = last_used(path)
    entries[provider] = when
    _write_private(path, json.dumps(entries, indent=2))


@dataclass
class StoredConfig:
    """The CLI's settings: everything here is safe to show."""

    url: str | None = None
    workspace: str | None = None
    provider: str | None = None  # the active provider, or "platform" (no local key is sent)
    models: dict[str, str] = field(default_factory=dict)


def load_config(path: Path | None = None) -> StoredConfig:
    path = path or config_path()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return StoredConfig()
    models = data.get("models", {})
    return StoredConfig(
        url=data.get("url"),
        workspace=data.get("workspace"),
        provider=data.get("provider"),
        models={str(k): str(v) for k, v in models.items()} if isinstance(models, dict) else {},
    )


def _toml_string(value: str) -> str:
    # A JSON string is a valid TOML basic string for the text we store (URLs, ids, model ids).
    return json.dumps(value, ensure_ascii=True)


def save_config(config: StoredConfig, path: Path | None = None) -> Path:
    path = path or config_path()
    lines = [
        f"{name} = {_toml_string(value)}"
        for name, value in (
            ("url", config.url),
            ("workspace", config.workspace),
            ("provider", config.provider),
        )
        if value
    ]
    if config.models:
        lines += ["", "[models]"]
        pairs = sorted(config.models.items())
        lines += [f"{_toml_string(p)} = {_toml_string(m)}" for p, m in pairs]
    _write_private(path, "\n".join(lines) + "\n")
    return path


def _write_private(path: Path, text: str) -> None:
    """Write ``text`` readable by this user only, replacing the file in one step."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


class Keychain:
    """Secrets by name (``token``, ``key:openai``...): the OS keychain, else a 0600 file.

    Any failure of the keyring backend (none installed, a locked or absent D-Bus secret service)
    sends the secret to the file instead of failing the command; ``place`` says which is used.
    """

    def __init__(self, file: Path | None = None) -> None:
        self.file = file or secrets_path()

    def _file_entries(self) -> dict[str, str]:
        try:
            data = json.loads(self.file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}

    @staticmethod
    def _from_keyring(name: str) -> str | None:
        try:
            return keyring.get_password(SERVICE, name) or None
        except Exception:  # any backend failure: the file is the fallback
            return None

    def get(self, name: str) -> str | None:
        return self._from_keyring(name) or self._file_entries().get(name)

    def place(self, name: str) -> SecretPlace | None:
        if self._from_keyring(name):
            return "keychain"
        return "file" if name in self._file_entries() else None

    def set(self, name: str, value: str) -> SecretPlace:
        try:
            keyring.set_password(SERVICE, name, value)
        except Exception:  # no usable backend: keep it in the 0600 file
            entries = self._file_entries()
            entries[name] = value
            _write_private(self.file, json.dumps(entries, indent=2))
            return "file"
        self._drop_from_file(name)
        return "keychain"

    def delete(self, name: str) -> bool:
        removed = False
        if self._from_keyring(name):
            try:
                keyring.delete_password(SERVICE, name)
                removed = True
            except Exception:  # a backend that reads but cannot delete: the file still goes
                removed = False
        return self._drop_from_file(name) or removed

    def _drop_from_file(self, name: str) -> bool:
        entries = self._file_entries()
        if name not in entries:
            return False
        del entries[name]
        _write_private(self.file, json.dumps(entries, indent=2))
        return True
