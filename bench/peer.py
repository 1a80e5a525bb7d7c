"""The peer: LiteLLM proxy, pinned, in its own environment, against the same simulator.

``make bench`` installs :data:`LITELLM` into ``bench/.peer/venv`` (git-ignored, never the
app's dependencies) the first time, then runs it with one worker and no database, routing
``gpt-4o`` and ``gpt-4o-mini`` to the simulator's OpenAI endpoint. If it cannot be installed (no
network, no wheel) :func:`litellm_proxy` yields ``None`` and says why, and the benchmark still
prints Switchboard's own rows.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from workspace.cli.embedded.ports import free_port

LITELLM = "litellm[proxy]==1.106.2"
PEER_DIR = Path(__file__).resolve().parent / ".peer"
VENV = PEER_DIR / "venv"
STAMP = VENV / ".installed"
MASTER_KEY = "sk-bench-litellm-master-0001"


@dataclass
class Peer:
    """A running proxy: its URL, its process (for CPU) and the key its clients send."""

    url: str
    pid: int
    version: str
    key: str = MASTER_KEY


def _install() -> str | None:
    """Install the pinned proxy once; returns why not, or None when it is there."""
    if STAMP.exists() and STAMP.read_text() == LITELLM:
        return None
    print(f"bench: installing {LITELLM} into {VENV} (once) ...", flush=True)
    try:
        if not (VENV / "bin" / "python").exists():
            subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run(
            [str(VENV / "bin" / "pip"), "install", "-q", "--disable-pip-version-check", LITELLM],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            timeout=900,
        )
    except (subprocess.SubprocessError, OSError) as exc:
        return f"could not install {LITELLM}: {type(exc).__name__}"
    STAMP.write_text(LITELLM)
    return None


def _config(simulator_url: str, key: str) -> Path:
    lines = ["model_list:"]
    for model in ("gpt-4o", "gpt-4o-mini"):
        lines += [
            f"  - model_name: {model}",
            "    litellm_params:",
            f"      model: openai/{model}",
            f"      api_base: {simulator_url}/v1",
            f"      api_key: {key}",
        ]
    # A master key, as LiteLLM requires: both sides authenticate every request.
    lines += ["general_settings:", f"  master_key: {MASTER_KEY}"]
    lines += ["litellm_settings:", "  drop_params: true", "  telemetry: false"]
    path = PEER_DIR / "config.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path


@contextmanager
def litellm_proxy(simulator_url: str, key: str) -> Iterator[Peer | None]:
    """LiteLLM proxy with one worker on a free port, or None (with the reason printed)."""
    PEER_DIR.mkdir(exist_ok=True)
    why = _install()
    if why:
        print(f"bench: peer unavailable, {why}; Switchboard's own rows follow", flush=True)
        yield None
        return
    port = free_port()
    env = {**os.environ, "LITELLM_LOG": "ERROR", "LITELLM_TELEMETRY": "False"}
    env.pop("DATABASE_URL", None)
    log = (PEER_DIR / "proxy.log").open("w")
    command = [str(VENV / "bin" / "litellm"), "--config", str(_config(simulator_url, key))]
    proc = subprocess.Popen(
        [*command, "--host", "127.0.0.1", "--port", str(port), "--num_workers", "1"],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                break
            try:
                if httpx.get(f"{url}/health/liveliness", timeout=2).status_code == 200:
                    yield Peer(url, proc.pid, LITELLM.split("==")[1])
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        print(f"bench: peer did not start (see {PEER_DIR / 'proxy.log'})", flush=True)
        yield None
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
