"""Lint and render the Switchboard Helm chart offline with helm_python (no cluster or binary)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import helm_python as helm
import pytest
import yaml

CHART_DIR = Path(__file__).resolve().parents[2] / "helm" / "switchboard"
RELEASE = "sb"
NAMESPACE = "ai"
REQUIRED = {"database": {"existingSecret": "switchboard-db"}}
SECRETISH = re.compile(r"password|passwd|token|secret|api[_-]?key", re.IGNORECASE)


def merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """Deep-merge ``extra`` over ``base`` without mutating either."""
    out = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out


@pytest.fixture(scope="module")
def chart() -> Iterator[helm.Chart]:
    with helm.Chart.load(CHART_DIR) as loaded:
        yield loaded


def render(chart: helm.Chart, values: dict[str, Any] | None = None) -> dict[str, str]:
    return chart.render(
        merge(REQUIRED, values or {}), name=RELEASE, namespace=NAMESPACE, is_install=True
    )


def manifests(chart: helm.Chart, values: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    docs: list[dict[str, Any]] = []
    for path, text in render(chart, values).items():
        if path.endswith("NOTES.txt"):
            continue
        docs.extend(doc for doc in yaml.safe_load_all(text) if doc)
    return docs


def one(docs: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    found = [doc for doc in docs if doc["kind"] == kind]
    assert len(found) == 1, f"expected one {kind}, got {len(found)}"
    return found[0]


def pod_specs(docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [doc["spec"]["template"]["spec"] for doc in docs if doc["kind"] in {"Deployment", "Job"}]


def env_of(container: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {item["name"]: item for item in container.get("env", [])}


@pytest.fixture(scope="module")
def default_docs(chart: helm.Chart) -> list[dict[str, Any]]:
    return manifests(chart)


def test_lint_reports_no_errors_or_warnings() -> None:
    report = helm.lint(CHART_DIR, REQUIRED, strict=True, namespace=NAMESPACE)
    assert report["errors"] == []
    assert report["total_charts_linted"] == 1
    problems = [m for m in report["messages"] if m["severity"] >= 2]
    assert problems == []


def test_chart_metadata(chart: helm.Chart) -> None:
    meta = chart.metadata
    assert meta["apiVersion"] == "v2"
    assert meta["appVersion"] == "0.1.0"
    assert chart.schema is not None


def test_default_render_kinds(default_docs: list[dict[str, Any]]) -> None:
    kinds = sorted(doc["kind"] for doc in default_docs)
    assert kinds == sorted(
        [
            "ConfigMap",
            "Deployment",
            "Job",
            "NetworkPolicy",
            "PodDisruptionBudget",
            "Service",
            "ServiceAccount",
        ]
    )
    assert all(doc["metadata"]["namespace"] == NAMESPACE for doc in default_docs)


def test_one_resource_per_template(chart: helm.Chart) -> None:
    for path, text in render(
        chart, {"ingress": {"enabled": True}, "autoscaling": {"enabled": True}}
    ).items():
        if not path.endswith("NOTES.txt"):
            assert len([d for d in yaml.safe_load_all(text) if d]) <= 1, path


def test_deployment_runs_the_app(default_docs: list[dict[str, Any]]) -> None:
    deployment = one(default_docs, "Deployment")
    assert deployment["spec"]["replicas"] == 2
    pod = deployment["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    assert container["command"] == ["switchboard", "run", "--host", "0.0.0.0", "--port", "8000"]
    assert container["ports"] == [{"name": "http", "containerPort": 8000, "protocol": "TCP"}]
    assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
    assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert container["resources"]["requests"]["cpu"]
    assert container["resources"]["requests"]["memory"]
    assert container["resources"]["limits"]["memory"]
    assert "initContainers" not in pod  # the hook Job migrates; the app refuses an old schema
    assert pod["serviceAccountName"] == one(default_docs, "ServiceAccount")["metadata"]["name"]
    assert pod["automountServiceAccountToken"] is True  # Vault Kubernetes auth needs the token

    service = one(default_docs, "Service")
    assert service["spec"]["ports"][0]["port"] == 80
    assert service["spec"]["ports"][0]["targetPort"] == "http"
    selector = deployment["spec"]["selector"]["matchLabels"]
    assert service["spec"]["selector"] == selector
    assert one(default_docs, "PodDisruptionBudget")["spec"]["selector"]["matchLabels"] == selector
    job_labels = one(default_docs, "Job")["spec"]["template"]["metadata"]["labels"]
    assert not selector.items() <= job_labels.items(), "Service must not select migration pods"


def test_migration_job_is_a_pre_install_pre_upgrade_hook(
    default_docs: list[dict[str, Any]],
) -> None:
    job = one(default_docs, "Job")
    annotations = job["metadata"]["annotations"]
    assert set(annotations["helm.sh/hook"].split(",")) == {"pre-install", "pre-upgrade"}
    assert int(annotations["helm.sh/hook-weight"]) <= 0
    assert set(annotations["helm.sh/hook-delete-policy"].split(",")) == {
        "before-hook-creation",
        "hook-succeeded",
    }
    pod = job["spec"]["template"]["spec"]
    assert pod["restartPolicy"] == "Never"
    (container,) = pod["containers"]
    assert container["command"] == ["switchboard", "migrate"]
    app = one(default_docs, "Deployment")["spec"]["template"]["spec"]["containers"][0]
    assert container["image"] == app["image"]
    # Hooks run before the release's ConfigMap exists on first install.
    assert "envFrom" not in container


def test_migrations_can_be_disabled(chart: helm.Chart) -> None:
    docs = manifests(chart, {"migrations": {"enabled": False}})
    assert "Job" not in {doc["kind"] for doc in docs}


def test_pods_run_as_non_root_with_read_only_root(default_docs: list[dict[str, Any]]) -> None:
    specs = pod_specs(default_docs)
    assert len(specs) == 2
    for pod in specs:
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
        tmp = {v["name"]: v for v in pod["volumes"]}["tmp"]
        assert "emptyDir" in tmp
        for container in pod["containers"]:
            ctx = container["securityContext"]
            assert ctx["runAsNonRoot"] is True
            assert ctx["readOnlyRootFilesystem"] is True
            assert ctx["allowPrivilegeEscalation"] is False
            assert ctx["capabilities"]["drop"] == ["ALL"]
            assert ctx["seccompProfile"] == {"type": "RuntimeDefault"}
            assert {"name": "tmp", "mountPath": "/tmp"} in container["volumeMounts"]


def test_image_tag_is_pinned(chart: helm.Chart, default_docs: list[dict[str, Any]]) -> None:
    app_version = chart.metadata["appVersion"]
    for pod in pod_specs(default_docs):
        for container in pod["containers"]:
            repository, _, tag = container["image"].rpartition(":")
            assert repository == "switchboard"
            assert tag == app_version
            assert tag != "latest"

    docs = manifests(chart, {"image": {"tag": "1.2.3", "repository": "ghcr.io/acme/switchboard"}})
    image = one(docs, "Deployment")["spec"]["template"]["spec"]["containers"][0]["image"]
    assert image == "ghcr.io/acme/switchboard:1.2.3"


def test_database_url_comes_from_secret_key_ref(default_docs: list[dict[str, Any]]) -> None:
    for pod in pod_specs(default_docs):
        database_url = env_of(pod["containers"][0])["DATABASE_URL"]
        assert "value" not in database_url
        assert database_url["valueFrom"]["secretKeyRef"] == {
            "name": "switchboard-db",
            "key": "database-url",
        }


def test_configmap_settings(chart: helm.Chart, default_docs: list[dict[str, Any]]) -> None:
    data = one(default_docs, "ConfigMap")["data"]
    assert data == {
        "SWITCHBOARD_PUBLIC_URL": f"http://{RELEASE}-switchboard.{NAMESPACE}.svc",
        "SWITCHBOARD_LOG_FORMAT": "json",
        "SWITCHBOARD_LOG_LEVEL": "info",
        "SWITCHBOARD_ALLOW_PRIVATE_BASE_URLS": "false",
        "SWITCHBOARD_SHUTDOWN_GRACE_S": "30",
        "VAULT_ADDR": data["VAULT_ADDR"],
        "VAULT_AUTH_METHOD": "kubernetes",
        "VAULT_K8S_ROLE": "switchboard",
        "VAULT_KV_MOUNT": "switchboard",
    }
    container = one(default_docs, "Deployment")["spec"]["template"]["spec"]["containers"][0]
    configmap_name = one(default_docs, "ConfigMap")["metadata"]["name"]
    assert container["envFrom"] == [{"configMapRef": {"name": configmap_name}}]

    docs = manifests(
        chart,
        {
            "config": {
                "publicUrl": "https://ai.example.com/",
                "providerBaseUrls": {"openai": "http://vllm.ml.svc:8000/v1"},
                "allowPrivateBaseUrls": True,
            }
        },
    )
    data = one(docs, "ConfigMap")["data"]
    assert data["SWITCHBOARD_PUBLIC_URL"] == "https://ai.example.com"
    assert data["SWITCHBOARD_OPENAI_BASE_URL"] == "http://vllm.ml.svc:8000/v1"
    assert data["SWITCHBOARD_ALLOW_PRIVATE_BASE_URLS"] == "true"
    for unset in ("ANTHROPIC", "GEMINI", "GROQ"):
        assert f"SWITCHBOARD_{unset}_BASE_URL" not in data


def test_config_change_rolls_pods(chart: helm.Chart, default_docs: list[dict[str, Any]]) -> None:
    def checksum(docs: list[dict[str, Any]]) -> str:
        annotations = one(docs, "Deployment")["spec"]["template"]["metadata"]["annotations"]
        return str(annotations["checksum/config"])

    before = checksum(default_docs)
    assert re.fullmatch(r"[0-9a-f]{64}", before)
    assert checksum(manifests(chart)) == before
    assert checksum(manifests(chart, {"config": {"logLevel": "debug"}})) != before


def test_extra_env_is_appended(chart: helm.Chart) -> None:
    extra = [
        {"name": "HTTPS_PROXY", "value": "http://proxy.internal:3128"},
        {"name": "OTEL_HEADERS", "valueFrom": {"secretKeyRef": {"name": "otel", "key": "h"}}},
    ]
    for pod in pod_specs(manifests(chart, {"extraEnv": extra})):
        env = env_of(pod["containers"][0])
        assert env["HTTPS_PROXY"] == extra[0]
        assert env["OTEL_HEADERS"] == extra[1]


def test_no_secret_literals_anywhere(default_docs: list[dict[str, Any]]) -> None:
    assert "Secret" not in {doc["kind"] for doc in default_docs}
    literals: list[str] = list(one(default_docs, "ConfigMap")["data"].values())
    for pod in pod_specs(default_docs):
        for container in pod["containers"]:
            literals += [item["value"] for item in container.get("env", []) if "value" in item]
    assert literals
    assert [value for value in literals if SECRETISH.search(str(value))] == []
    names = [key for key in one(default_docs, "ConfigMap")["data"] if SECRETISH.search(key)]
    assert names == []


def test_values_yaml_holds_no_credentials(chart: helm.Chart) -> None:
    def walk(node: Any, path: str) -> Iterator[tuple[str, Any]]:
        if isinstance(node, dict):
            for key, value in node.items():
                yield from walk(value, f"{path}.{key}")
        elif isinstance(node, list):
            for index, value in enumerate(node):
                yield from walk(value, f"{path}[{index}]")
        else:
            yield path, node

    for path, value in walk(chart.values, ""):
        if re.search(r"password|token", path, re.IGNORECASE):
            pytest.fail(f"values.yaml must not carry credentials: {path}")
        if isinstance(value, str):
            assert not SECRETISH.search(value), path


def test_missing_database_secret_fails_with_required_message(chart: helm.Chart) -> None:
    with pytest.raises(helm.HelmRenderError, match=r"database\.existingSecret is required"):
        chart.render({}, name=RELEASE, namespace=NAMESPACE, is_install=True)


@pytest.mark.parametrize(
    ("values", "pointer"),
    [
        ({"replicaCount": "two"}, "/replicaCount"),
        ({"image": {"tag": "latest"}}, "/image/tag"),
        ({"service": {"port": "eighty"}}, "/service/port"),
        ({"config": {"logLevel": "verbose"}}, "/config/logLevel"),
        ({"vault": {"token": "hvs.abc"}}, "/vault"),
        ({"database": {"password": "hunter2"}}, "/database"),
    ],
)
def test_schema_rejects_bad_values(chart: helm.Chart, values: dict[str, Any], pointer: str) -> None:
    with pytest.raises(helm.HelmValuesError, match=re.escape(pointer)):
        chart.validate_schema(merge(REQUIRED, values))
    with pytest.raises(helm.HelmValuesError):
        render(chart, values)


def test_schema_accepts_defaults(chart: helm.Chart) -> None:
    chart.validate_schema(REQUIRED)


def test_enabling_ingress_renders_it(chart: helm.Chart) -> None:
    docs = manifests(
        chart,
        {
            "ingress": {
                "enabled": True,
                "className": "nginx",
                "hosts": [
                    {"host": "ai.example.com", "paths": [{"path": "/", "pathType": "Prefix"}]}
                ],
                "tls": [{"secretName": "ai-tls", "hosts": ["ai.example.com"]}],
            }
        },
    )
    ingress = one(docs, "Ingress")
    assert ingress["apiVersion"] == "networking.k8s.io/v1"
    assert ingress["spec"]["ingressClassName"] == "nginx"
    assert ingress["spec"]["tls"] == [{"secretName": "ai-tls", "hosts": ["ai.example.com"]}]
    (rule,) = ingress["spec"]["rules"]
    assert rule["host"] == "ai.example.com"
    backend = rule["http"]["paths"][0]["backend"]["service"]
    assert backend == {"name": one(docs, "Service")["metadata"]["name"], "port": {"number": 80}}
    public_url = one(docs, "ConfigMap")["data"]["SWITCHBOARD_PUBLIC_URL"]
    assert public_url == "https://ai.example.com"


def test_enabling_hpa_renders_it(chart: helm.Chart) -> None:
    docs = manifests(chart, {"autoscaling": {"enabled": True, "minReplicas": 3, "maxReplicas": 7}})
    hpa = one(docs, "HorizontalPodAutoscaler")
    assert hpa["apiVersion"] == "autoscaling/v2"
    deployment = one(docs, "Deployment")
    assert hpa["spec"]["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": deployment["metadata"]["name"],
    }
    assert (hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"]) == (3, 7)
    assert "replicas" not in deployment["spec"]


def test_pdb_can_be_disabled(chart: helm.Chart) -> None:
    docs = manifests(chart, {"podDisruptionBudget": {"enabled": False}})
    assert "PodDisruptionBudget" not in {doc["kind"] for doc in docs}


def test_notes_document_migration_strategy(chart: helm.Chart) -> None:
    notes = next(text for path, text in render(chart).items() if path.endswith("NOTES.txt"))
    assert "pre-install/pre-upgrade" in notes
    assert "refuses to serve an outdated schema" in notes
    assert "switchboard-db" in notes
