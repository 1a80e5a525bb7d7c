"""The ``switchboard`` CLI in a subprocess with its own HOME, and what it left behind."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PROVIDER_VARIABLES = (
    "OPENAI_API_KEY",
    "ANTHROPIC_API_KEY",
    "GEMINI_API_KEY",
    "GOOGLE_API_KEY",
    "GROQ_API_KEY",
)


@dataclass
class Cli:
    """One user's machine: a HOME, a keyring backend, and everything the CLI printed."""

    home: Path
    keyring_backend: str = "keyring.backends.fail.Keyring"
    outputs: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.home.mkdir(parents=True, exist_ok=True)

    def env(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in PROVIDER_VARIABLES
            and not k.startswith(("SWITCHBOARD_", "XDG_"))
            and k not in {"DATABASE_URL", "VAULT_ADDR"}
        }
        env.update(
            HOME=str(self.home),
            PYTHON_KEYRING_BACKEND=self.keyring_backend,
            SB_TEST_KEYRING_FILE=str(self.home / "os-keychain.json"),
            PYTHONPATH=str(ROOT),
            COLUMNS="120",
        )
        return {**env, **(extra or {})}

    def run(
        self, *args: str, stdin: str = "", env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        command = [str(Path(sys.executable).with_name("switchboard")), *args]
        done = subprocess.run(
            command, input=stdin, capture_output=True, text=True, env=self.env(env), timeout=120
        )
        self.outputs += [done.stdout, done.stderr]
        return done

    @property
    def config_file(self) -> Path:
        return self.home / ".config" / "switchboard" / "config.toml"

    @property
    def key_file(self) -> Path:
        return self.home / ".local" / "share" / "switchboard" / "keys.json"
