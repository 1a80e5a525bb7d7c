"""The Containerfile's invariants, checked statically (no container daemon exists on the machines
that run the tests): a base pinned by digest, a build that installs exactly constraints.txt from
wheels, a final stage without compilers or pip that runs as a numeric non-root user, the
``switchboard`` entry point and the OCI labels. ``make image`` says so when it cannot build."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DIGEST = re.compile(r"@sha256:[0-9a-f]{64}$")


@dataclass
class Stage:
    name: str
    base: str
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def args_of(self, keyword: str) -> list[str]:
        return [args for kw, args in self.instructions if kw == keyword]


def _logical_lines(text: str) -> list[str]:
    """Instructions with their continuation lines joined and comments dropped."""
    lines, current = [], ""
    for raw in text.splitlines():
        stripped = raw.strip()
        if stripped.startswith("#") or (not stripped and not current):
            continue
        if stripped.endswith("\\"):
            current += stripped[:-1] + " "
            continue
        lines.append(current + stripped)
        current = ""
    return lines


def parse() -> tuple[dict[str, str], list[Stage]]:
    """Global ARG defaults and the stages, FROM references resolved."""
    global_args: dict[str, str] = {}
    stages: list[Stage] = []
    for line in _logical_lines((ROOT / "Containerfile").read_text()):
        keyword, _, args = line.partition(" ")
        keyword = keyword.upper()
        if keyword == "ARG" and not stages:
            name, _, default = args.partition("=")
            global_args[name] = default
        elif keyword == "FROM":
            ref, _, name = args.partition(" AS ")
            ref = re.sub(r"\$\{(\w+)\}", lambda m: global_args[m.group(1)], ref.strip())
            stages.append(Stage(name.strip(), ref))
        else:
            stages[-1].instructions.append((keyword, args))
    return global_args, stages


@pytest.fixture(scope="module")
def stages() -> list[Stage]:
    return parse()[1]


@pytest.fixture(scope="module")
def final(stages: list[Stage]) -> Stage:
    return stages[-1]


def _pins() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        name, _, version = line.partition("==")
        pins[re.sub(r"[-_.]+", "-", name).lower()] = version
    return pins


def test_multi_stage_with_every_base_pinned_by_digest(stages: list[Stage]) -> None:
    assert len(stages) >= 2
    assert [s.name for s in stages] == ["build", "runtime"]
    for stage in stages:
        assert DIGEST.search(stage.base), f"{stage.name} base is not pinned by digest"
        assert ":3.11" in stage.base


def test_the_build_installs_exactly_constraints_txt_from_wheels(stages: list[Stage]) -> None:
    build = " ".join(stages[0].args_of("RUN"))
    assert "--constraint constraints.txt" in build
    assert "--only-binary=:all:" in build  # wheels only: no compiler needed anywhere
    assert " check" in build  # pip check: the pinned set is consistent
    assert "grep -vxFf constraints.txt" in build  # nothing installed that is not pinned
    assert any("constraints.txt" in c for c in stages[0].args_of("COPY"))

    pins = _pins()
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    for requirement in project["dependencies"]:
        name = re.split(r"[\[<>=!~ ;]", requirement, maxsplit=1)[0]
        assert re.sub(r"[-_.]+", "-", name).lower() in pins, f"{name} is not pinned"


def test_the_final_stage_has_no_compiler_and_no_pip(final: Stage) -> None:
    runs = " ".join(final.args_of("RUN"))
    assert not re.search(r"apt-get|apk |pip install|\bgcc\b|g\+\+|build-essential|\bclang\b", runs)
    for removed in ("site-packages/pip ", "site-packages/setuptools ", "ensurepip", "bin/pip*"):
        assert removed in runs + " ", f"{removed} stays in the final stage"
    for source in final.args_of("COPY"):
        assert source.startswith("--from=build "), source


def test_runs_as_a_numeric_non_root_user_matching_the_chart(final: Stage) -> None:
    (user,) = final.args_of("USER")
    assert re.fullmatch(r"[0-9]+:[0-9]+", user)
    uid, gid = (int(part) for part in user.split(":"))
    assert uid != 0 and gid != 0
    values = yaml.safe_load((ROOT / "helm/switchboard/values.yaml").read_text())
    assert values["securityContext"]["runAsUser"] == uid
    assert values["podSecurityContext"]["runAsGroup"] == gid


def test_the_entry_point_is_switchboard(final: Stage) -> None:
    (entrypoint,) = final.args_of("ENTRYPOINT")
    assert json.loads(entrypoint) == ["switchboard"]
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert "switchboard" in scripts
    (cmd,) = final.args_of("CMD")
    assert json.loads(cmd) == ["run"]


def test_oci_labels_and_versions_agree(final: Stage) -> None:
    labels = " ".join(final.args_of("LABEL"))
    for key in (
        "title",
        "description",
        "version",
        "revision",
        "created",
        "licenses",
        "source",
        "base.name",
        "base.digest",
    ):
        assert f"org.opencontainers.image.{key}=" in labels, key
    base_digest = final.base.rpartition("@")[2]
    assert f'org.opencontainers.image.base.digest="{base_digest}"' in labels
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert f"ARG VERSION={version}" in [f"ARG {a}" for a in final.args_of("ARG")]
    chart = yaml.safe_load((ROOT / "helm/switchboard/Chart.yaml").read_text())
    assert chart["appVersion"] == version


def test_the_image_carries_what_migrate_and_run_need(stages: list[Stage]) -> None:
    copied = " ".join(stages[0].args_of("COPY"))
    for path in ("alembic.ini", "migrations", "workspace", "adapters", "pyproject.toml"):
        assert path in copied, path
    env = " ".join(stages[-1].args_of("ENV"))
    assert "PYTHONDONTWRITEBYTECODE=1" in env  # the root filesystem is read-only in the chart
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".git", ".venv", ".data", "tests"} <= set(ignored)


def _can_build() -> bool:
    if shutil.which("podman"):
        return True
    docker = shutil.which("docker")
    return bool(docker) and subprocess.run([docker, "info"], capture_output=True).returncode == 0


@pytest.mark.skipif(_can_build(), reason="a container builder exists here: make image would build")
def test_make_image_says_clearly_that_nothing_can_build_here() -> None:
    done = subprocess.run(
        ["make", "-s", "image"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2
    assert "no container builder here" in done.stderr
