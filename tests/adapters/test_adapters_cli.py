"""`switchboard adapters` lists entry-point plugins and obeys the allow-list."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"


def _install_echo_plugin(target: Path) -> None:
    dist = target / "sb_echo_plugin-1.2.3.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: sb-echo-plugin\nVersion: 1.2.3\n")
    (dist / "entry_points.txt").write_text("[switchboard.adapters]\necho = sb_echo_plugin\n")


def _adapters(tmp_path: Path, **env: str) -> str:
    full_env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(FIXTURES)]), **env}
    result = subprocess.run(
        [sys.executable, "-m", "workspace.cli.commands", "adapters"],
        env=full_env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return result.stdout


def test_third_party_plugin_is_listed_with_version_and_provider(tmp_path: Path) -> None:
    _install_echo_plugin(tmp_path)
    lines = _adapters(tmp_path).splitlines()
    echo = [line for line in lines if line.startswith("echo ")]
    assert echo, lines
    assert "1.2.3" in echo[0]
    assert any(line.startswith("builtin ") and "openai" in line for line in lines)


def test_allow_list_excludes_the_plugin(tmp_path: Path) -> None:
    _install_echo_plugin(tmp_path)
    out = _adapters(tmp_path, SWITCHBOARD_ADAPTERS_ALLOW="builtin")
    assert not any(line.startswith("echo ") for line in out.splitlines())
    assert "openai" in out
