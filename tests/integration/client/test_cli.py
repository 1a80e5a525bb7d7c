"""The ``switchboard`` CLI as a user runs it: a subprocess with its own HOME against the running
app, the keyring backend set to ``fail`` (so the 0600 file is the keychain) or to a stand-in OS
keychain. Keys are read from stdin, never from arguments; a canary key never reaches the config
file, the output or the app's logs."""

from __future__ import annotations

import json
import logging
import os
import pty
import re
import stat
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.integration.client.cli_helpers import Cli
from tests.integration.client.conftest import TokenUser
from tests.support import PASSWORD, Stack, settings_env

MINI = "openai/gpt-4o-mini"
HAIKU = "anthropic/claude-haiku-4-5"


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    return Cli(tmp_path / "home")


@pytest.fixture
def logged_in(cli: Cli, token_user: TokenUser) -> Cli:
    done = cli.run("login", "--url", token_user.url, "--token-stdin", stdin=token_user.token)
    assert done.returncode == 0, done.stderr
    return cli


def _canary(tag: str) -> str:
    return f"sk-canary-{uuid.uuid4().hex}-{tag}"


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _footer_source(stderr: str) -> str:
    found = re.search(r"\(key: (\w+)\)", stderr)
    assert found, stderr
    return found.group(1)


async def test_login_keeps_the_token_out_of_the_config(cli: Cli, token_user: TokenUser) -> None:
    done = cli.run("login", "--url", token_user.url, "--token-stdin", stdin=token_user.token)
    assert done.returncode == 0, done.stderr
    config = cli.config_file.read_text()
    assert token_user.url in config and token_user.workspace in config
    assert token_user.token not in config and token_user.token not in done.stdout
    assert json.loads(cli.key_file.read_text())["token"] == token_user.token
    assert _mode(cli.key_file) == 0o600 and _mode(cli.key_file.parent) == 0o700


async def test_login_with_password_creates_a_token(cli: Cli, token_user: TokenUser) -> None:
    email = token_user.user.email
    done = cli.run(
        "login", "--url", token_user.url, "--email", email, "--password-stdin", stdin=PASSWORD
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(cli.key_file.read_text())["token"].startswith("sb_")
    tokens = (await token_user.user.get("/api/tokens")).json()
    assert any(t["name"].startswith("switchboard CLI on") for t in tokens)


async def test_local_key_chat_and_continue(
    logged_in: Cli, token_user: TokenUser, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    canary = _canary("LOCAL")
    cli = logged_in
    stored = cli.run("keys", "set", "openai", stdin=canary + "\n")
    assert stored.returncode == 0, stored.stderr
    assert "sk-...OCAL" in stored.stdout and "0600 key file" in stored.stdout
    assert cli.run("keys", "use", "openai").returncode == 0
    assert cli.run("keys", "model", "openai", "gpt-4o-mini").returncode == 0
    first = cli.run("chat", "hello", "there")
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() and _footer_source(first.stderr) == "request"
    conversation = first.stderr.rsplit("conversation ", 1)[1].strip()
    again = cli.run("chat", "--conversation", conversation, stdin="and again\n")
    assert again.returncode == 0, again.stderr
    detail = (await token_user.user.get(f"/api/conversations/{conversation}")).json()
    assert [m["key_source"] for m in detail["messages"] if m["role"] == "assistant"] == [
        "request",
        "request",
    ]
    # The canary: only in the 0600 key file, nowhere else.
    assert canary in cli.key_file.read_text()
    for text in [cli.config_file.read_text(), *cli.outputs, caplog.text]:
        assert canary not in text and canary[10:30] not in text


async def test_a_key_the_provider_refuses_is_not_stored(logged_in: Cli) -> None:
    done = logged_in.run("keys", "set", "openai", stdin="sk-invalid-cli-key-000000001\n")
    assert done.returncode == 1
    assert "refused" in done.stderr
    assert not logged_in.key_file.read_text().count("sk-invalid")


def _store_locally(cli: Cli, provider: str, secret: str) -> None:
    """Write a local key straight into the key file (``keys set`` would refuse a bad one)."""
    entries = json.loads(cli.key_file.read_text())
    entries[f"key:{provider}"] = secret
    cli.key_file.write_text(json.dumps(entries))


GOOD, BAD = "sk-cli-order-good-00000001", "sk-invalid-cli-order-000002"


@pytest.mark.parametrize(
    ("flag", "env", "keychain", "personal", "outcome"),
    [
        (GOOD, BAD, BAD, False, "request"),  # the flag wins over everything
        (None, GOOD, BAD, False, "request"),  # then the environment
        (None, None, GOOD, False, "request"),  # then the local keychain
        (None, None, None, True, "personal"),  # then the server's order
        (None, BAD, None, True, "refused"),  # an environment key is used even if bad
        (None, None, BAD, True, "refused"),  # and so is a keychain key
    ],
)
async def test_key_order_for_cli_requests(
    logged_in: Cli,
    token_user: TokenUser,
    flag: str | None,
    env: str | None,
    keychain: str | None,
    personal: bool,
    outcome: str,
) -> None:
    if keychain:
        _store_locally(logged_in, "openai", keychain)
    if personal:
        added = await token_user.user.post(
            "/api/me/credentials", json={"provider": "openai", "secret": "sk-personal-cli-0003"}
        )
        assert added.status_code == 201, added.text
    args = ["chat", "-m", MINI, *(["--key-stdin"] if flag else []), "which key?"]
    done = logged_in.run(
        *args, stdin=(flag or "") + "\n", env={"OPENAI_API_KEY": env} if env else None
    )
    if outcome == "refused":
        assert done.returncode == 1, done.stdout
        assert _footer_source(done.stderr) == "request"
    else:
        assert done.returncode == 0, done.stderr
        assert _footer_source(done.stderr) == outcome


async def test_keys_status_says_where_each_key_comes_from(
    logged_in: Cli, token_user: TokenUser
) -> None:
    _store_locally(logged_in, "openai", "sk-cli-status-local-0004")
    assert logged_in.run("chat", "-m", MINI, "hi").returncode == 0
    added = await token_user.user.post(
        "/api/me/credentials", json={"provider": "anthropic", "secret": "sk-ant-cli-status-0005"}
    )
    assert added.status_code == 201
    team = await token_user.user.post(
        f"/api/workspaces/{token_user.workspace}/credentials",
        json={"provider": "gemini", "secret": "AIza-cli-status-team-0018"},
    )
    assert team.status_code == 201
    done = logged_in.run("keys", "status", env={"GROQ_API_KEY": "gsk_cli_status_env_0006"})
    assert done.returncode == 0, done.stderr
    rows = {line.split("\t")[0]: line.split("\t") for line in done.stdout.splitlines()}
    assert rows["openai"][1:4] == ["keychain (sent per request)", "sk-...0004", "valid"]
    assert rows["openai"][4].startswith("20")  # when this machine last sent it
    assert rows["groq"][4] == "never"
    assert rows["anthropic"][1:4] == ["server: personal", "sk-...0005", "valid"]
    assert rows["anthropic"][5] == "you (personal key)"
    assert rows["groq"][1:3] == ["environment (sent per request)", "gsk...0006"]
    assert rows["gemini"][1:6] == [
        "server: workspace",
        "AIz...0018",
        "valid",
        "never",
        "the workspace's key",
    ]


async def test_personal_key_set_and_removed(logged_in: Cli, token_user: TokenUser) -> None:
    done = logged_in.run("keys", "set", "anthropic", "--personal", stdin="sk-ant-cli-pers-0007\n")
    assert done.returncode == 0, done.stderr
    keys = (await token_user.user.get("/api/me/credentials")).json()
    assert [k["fingerprint"] for k in keys] == ["sk-...0007"]
    chat = logged_in.run("chat", "-m", HAIKU, "hi")
    assert _footer_source(chat.stderr) == "personal"
    removed = logged_in.run("keys", "remove", "anthropic", "--personal")
    assert removed.returncode == 0 and "deleted" in removed.stdout
    assert (await token_user.user.get("/api/me/credentials")).json() == []


async def test_remove_forgets_a_local_key(logged_in: Cli) -> None:
    assert logged_in.run("keys", "set", "groq", stdin="gsk_cli_remove_0008\n").returncode == 0
    done = logged_in.run("keys", "remove", "groq")
    assert done.returncode == 0 and "removed" in done.stdout
    assert "key:groq" not in json.loads(logged_in.key_file.read_text())


async def test_compare_prints_every_lane(logged_in: Cli) -> None:
    done = logged_in.run(
        "compare",
        "-m",
        MINI,
        "-m",
        "openai/gpt-4o",
        "--key-stdin",
        "say hi",
        stdin="sk-cli-compare-0009\n",
    )
    assert done.returncode == 0, done.stderr
    assert "== lane 0: openai/gpt-4o-mini ==" in done.stdout
    assert "== lane 1: openai/gpt-4o ==" in done.stdout


async def test_doctor_passes_then_fails_on_a_bad_key(logged_in: Cli) -> None:
    assert logged_in.run("keys", "set", "openai", stdin="sk-cli-doctor-00010\n").returncode == 0
    logged_in.run("keys", "use", "openai")
    logged_in.run("keys", "model", "openai", MINI)
    healthy = logged_in.run("doctor")
    assert healthy.returncode == 0, healthy.stdout
    for name in ("server:", "token:", "workspace:", "provider:", "model:", "key openai:"):
        assert re.search(rf"^ok\s+{name}", healthy.stdout, re.M), healthy.stdout
    assert "vault ok" in healthy.stdout
    _store_locally(logged_in, "openai", "sk-invalid-cli-doctor-0011")
    sick = logged_in.run("doctor")
    assert sick.returncode == 1
    assert re.search(r"^FAIL key openai:.*invalid", sick.stdout, re.M), sick.stdout


async def test_doctor_fails_without_a_server(cli: Cli) -> None:
    done = cli.run("doctor")
    assert done.returncode == 1 and "FAIL config" in done.stdout
    unreachable = cli.run(
        "doctor", env={"SWITCHBOARD_URL": "http://127.0.0.1:9", "SWITCHBOARD_TOKEN": "sb_x"}
    )
    assert unreachable.returncode == 1 and "does not answer" in unreachable.stdout


async def test_an_os_keychain_is_used_when_there_is_one(
    tmp_path: Path, token_user: TokenUser
) -> None:
    cli = Cli(tmp_path / "home", "tests.integration.client.file_keyring.FileKeyring")
    done = cli.run("login", "--url", token_user.url, "--token-stdin", stdin=token_user.token)
    assert done.returncode == 0 and "OS keychain" in done.stdout, done.stderr
    stored = cli.run("keys", "set", "openai", stdin="sk-cli-oskeychain-0012\n")
    assert "OS keychain" in stored.stdout
    assert not cli.key_file.exists()
    chat = cli.run("chat", "-m", MINI, "hi")
    assert chat.returncode == 0 and _footer_source(chat.stderr) == "request"


async def test_piped_text_follows_the_prompt(logged_in: Cli, token_user: TokenUser) -> None:
    done = logged_in.run(
        "chat", "-m", MINI, "--key-stdin", "review this", stdin="sk-cli-piped-0013\n+ a line\n"
    )
    assert done.returncode == 0, done.stderr
    conversation = done.stderr.rsplit("conversation ", 1)[1].strip()
    detail = (await token_user.user.get(f"/api/conversations/{conversation}")).json()
    assert detail["messages"][0]["text"] == "review this\n\n+ a line"


async def test_doctor_beside_the_server_checks_vault(cli: Cli, stack: Stack) -> None:
    env = settings_env(stack.settings)
    healthy = cli.run("doctor", "--server", env=env)
    assert healthy.returncode == 0, healthy.stdout + healthy.stderr
    assert re.search(r"^ok\s+vault:", healthy.stdout, re.M)
    assert re.search(r"^ok\s+postgres:", healthy.stdout, re.M)
    down = cli.run("doctor", "--server", env={**env, "VAULT_ADDR": "http://127.0.0.1:9"})
    assert down.returncode == 1, down.stdout
    assert re.search(r"^FAIL vault:\s+UNAVAILABLE", down.stdout, re.M)


async def test_keys_use_platform_sends_no_local_key(logged_in: Cli, token_user: TokenUser) -> None:
    added = await token_user.user.post(
        "/api/me/credentials", json={"provider": "openai", "secret": "sk-personal-cli-0014"}
    )
    assert added.status_code == 201
    _store_locally(logged_in, "openai", "sk-cli-platform-local-0015")
    assert logged_in.run("keys", "use", "platform").returncode == 0
    env = {"OPENAI_API_KEY": "sk-cli-platform-env-0016"}
    done = logged_in.run("chat", "-m", MINI, "hi", env=env)
    assert done.returncode == 0, done.stderr
    assert _footer_source(done.stderr) == "personal"
    flagged = logged_in.run("chat", "-m", MINI, "--key-stdin", "hi", stdin="sk-cli-flag-0017\n")
    assert _footer_source(flagged.stderr) == "request"


def _run_in_terminal(cli: Cli, *args: str, stdin: str) -> tuple[int, str, str]:
    """Run the CLI with a pseudo-terminal as stdout (stdin and stderr stay pipes)."""
    primary, secondary = pty.openpty()
    command = [str(Path(sys.executable).with_name("switchboard")), *args]
    env = cli.env({"TERM": "xterm-256color"})
    process = subprocess.Popen(
        command, stdin=subprocess.PIPE, stdout=secondary, stderr=subprocess.PIPE, env=env
    )
    os.close(secondary)
    assert process.stdin is not None and process.stderr is not None
    process.stdin.write(stdin.encode())
    process.stdin.close()
    chunks = []
    while True:
        try:
            chunk = os.read(primary, 4096)
        except OSError:  # the terminal closed with the process
            break
        if not chunk:
            break
        chunks.append(chunk)
    code = process.wait(60)
    os.close(primary)
    return code, b"".join(chunks).decode(errors="replace"), process.stderr.read().decode()


async def test_a_terminal_gets_rendered_markdown(logged_in: Cli) -> None:
    code, shown, stderr = _run_in_terminal(
        logged_in, "chat", "-m", MINI, "--key-stdin", "hello", stdin="sk-cli-tty-00019\n"
    )
    assert code == 0, stderr
    assert "\x1b[" in shown  # rich drew it (piped output has no escape codes)
    assert _footer_source(stderr) == "request"
    assert "sk-cli-tty" not in shown + stderr
