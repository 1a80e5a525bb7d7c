"""The chart installs as shipped and refuses unsafe values: every manifest validates strictly
against Kubernetes 1.30 and the newest schema kubernetes-validate ships, with the defaults and
with every option on; root, privileges, plain secrets in extraEnv, an HPA whose minimum exceeds
its maximum are refused; a PDB that would block node drains is not rendered."""

from __future__ import annotations

import re
from typing import Any

import helm_python as helm
import kubernetes_validate
import pytest

from tests.helm.test_chart import (
    NAMESPACE,
    RELEASE,
    chart,  # noqa: F401 - the module-scoped fixture
    manifests,
    merge,
    one,
    pod_specs,
    render,
)

KUBERNETES_VERSIONS = ["1.30.0", kubernetes_validate.latest_version()]

EVERY_OPTION: dict[str, Any] = {
    "database": {"statementCache": False, "listenUrlKey": "listen-url"},
    "image": {
        "repository": "ghcr.io/acme/switchboard",
        "tag": "1.2.3",
        "digest": "sha256:" + "a" * 64,
    },
    "imagePullSecrets": ["registry"],
    "config": {
        "publicUrl": "https://ai.example.com",
        "logLevel": "debug",
        "allowPrivateBaseUrls": True,
        "providerBaseUrls": {
            "openai": "http://vllm.ml.svc:8000/v1",
            "anthropic": "https://anthropic.example.com",
            "gemini": "https://gemini.example.com",
            "groq": "https://groq.example.com/openai/v1",
        },
    },
    "extraEnv": [
        {"name": "HTTPS_PROXY", "value": "http://proxy.internal:3128"},
        {"name": "OPENAI_API_KEY", "valueFrom": {"secretKeyRef": {"name": "k", "key": "openai"}}},
    ],
    "serviceAccount": {"annotations": {"example.com/role": "switchboard"}},
    "podAnnotations": {"example.com/scrape": "true"},
    "podLabels": {"team": "ai"},
    "service": {"type": "ClusterIP", "annotations": {"example.com/lb": "internal"}},
    "ingress": {
        "enabled": True,
        "className": "nginx",
        "annotations": {"cert-manager.io/cluster-issuer": "letsencrypt"},
        "hosts": [{"host": "ai.example.com", "paths": [{"path": "/", "pathType": "Prefix"}]}],
        "tls": [{"secretName": "ai-tls", "hosts": ["ai.example.com"]}],
    },
    "autoscaling": {
        "enabled": True,
        "minReplicas": 3,
        "maxReplicas": 9,
        "targetMemoryUtilizationPercentage": 80,
    },
    "podDisruptionBudget": {"enabled": True, "maxUnavailable": 1},
    "networkPolicy": {
        "enabled": True,
        "ingressController": {"namespace": "traefik", "podLabels": {"app": "traefik"}},
        "postgres": {"to": [{"ipBlock": {"cidr": "10.20.0.0/16"}}]},
        "vault": {"to": [{"namespaceSelector": {"matchLabels": {"name": "vault"}}}]},
        "extraEgress": [{"ports": [{"port": 8000, "protocol": "TCP"}]}],
    },
    "nodeSelector": {"kubernetes.io/os": "linux"},
    "tolerations": [{"key": "ai", "operator": "Exists", "effect": "NoSchedule"}],
    "affinity": {
        "podAntiAffinity": {
            "preferredDuringSchedulingIgnoredDuringExecution": [
                {
                    "weight": 100,
                    "podAffinityTerm": {
                        "topologyKey": "kubernetes.io/hostname",
                        "labelSelector": {"matchLabels": {"app.kubernetes.io/name": "switchboard"}},
                    },
                }
            ]
        }
    },
    "topologySpreadConstraints": [
        {
            "maxSkew": 1,
            "topologyKey": "topology.kubernetes.io/zone",
            "whenUnsatisfiable": "ScheduleAnyway",
            "labelSelector": {"matchLabels": {"app.kubernetes.io/name": "switchboard"}},
        }
    ],
    "priorityClassName": "high",
}


def kinds(docs: list[dict[str, Any]]) -> set[str]:
    return {doc["kind"] for doc in docs}


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
@pytest.mark.parametrize("values", [{}, EVERY_OPTION], ids=["defaults", "every-option"])
def test_every_manifest_validates_strictly(
    chart: helm.Chart,  # noqa: F811
    values: dict[str, Any],
    version: str,
) -> None:
    docs = manifests(chart, values)
    expected = {"ConfigMap", "Deployment", "Job", "NetworkPolicy", "PodDisruptionBudget"}
    assert expected <= kinds(docs)
    if values:
        assert {"Ingress", "HorizontalPodAutoscaler"} <= kinds(docs)
    for doc in docs:
        kubernetes_validate.validate(doc, version, strict=True)


UNSAFE: list[tuple[str, dict[str, Any], str]] = [
    ("pod runs as root", {"podSecurityContext": {"runAsUser": 0}}, "/podSecurityContext"),
    ("pod may run as root", {"podSecurityContext": {"runAsNonRoot": False}}, "/podSecurityContext"),
    (
        "pod unconfined",
        {"podSecurityContext": {"seccompProfile": {"type": "Unconfined"}}},
        "/podSecurityContext",
    ),
    ("container runs as root", {"securityContext": {"runAsUser": 0}}, "/securityContext"),
    ("container may run as root", {"securityContext": {"runAsNonRoot": False}}, "/securityContext"),
    ("privileged", {"securityContext": {"privileged": True}}, "/securityContext"),
    ("escalation", {"securityContext": {"allowPrivilegeEscalation": True}}, "/securityContext"),
    ("writable root", {"securityContext": {"readOnlyRootFilesystem": False}}, "/securityContext"),
    (
        "added capability",
        {"securityContext": {"capabilities": {"add": ["NET_ADMIN"]}}},
        "/securityContext",
    ),
    (
        "kept capabilities",
        {"securityContext": {"capabilities": {"drop": ["NET_RAW"]}}},
        "/securityContext",
    ),
    ("api key", {"extraEnv": [{"name": "OPENAI_API_KEY", "value": "sk-x"}]}, "/extraEnv/0"),
    ("token", {"extraEnv": [{"name": "GITHUB_TOKEN", "value": "ghp_x"}]}, "/extraEnv/0"),
    ("secret", {"extraEnv": [{"name": "client_secret", "value": "x"}]}, "/extraEnv/0"),
    ("password", {"extraEnv": [{"name": "PGPASSWORD", "value": "x"}]}, "/extraEnv/0"),
]


@pytest.mark.parametrize(
    ("values", "pointer"), [(v, p) for _, v, p in UNSAFE], ids=[name for name, _, _ in UNSAFE]
)
def test_unsafe_values_are_refused(
    chart: helm.Chart,  # noqa: F811
    values: dict[str, Any],
    pointer: str,
) -> None:
    with pytest.raises(helm.HelmValuesError, match=re.escape(pointer)):
        render(chart, values)


def test_secret_looking_env_by_reference_is_accepted(chart: helm.Chart) -> None:  # noqa: F811
    ref = {"name": "OPENAI_API_KEY", "valueFrom": {"secretKeyRef": {"name": "k", "key": "o"}}}
    for pod in pod_specs(manifests(chart, {"extraEnv": [ref]})):
        assert ref in pod["containers"][0]["env"]


def test_hpa_minimum_above_maximum_is_refused(chart: helm.Chart) -> None:  # noqa: F811
    values = {"autoscaling": {"enabled": True, "minReplicas": 5, "maxReplicas": 2}}
    with pytest.raises(helm.HelmRenderError, match=r"minReplicas \(5\) must not exceed"):
        render(chart, values)


@pytest.mark.parametrize(
    ("values", "rendered"),
    [
        ({"replicaCount": 1}, False),
        ({"replicaCount": 2}, True),
        ({"replicaCount": 1, "autoscaling": {"enabled": True, "minReplicas": 1}}, False),
        ({"replicaCount": 1, "autoscaling": {"enabled": True, "minReplicas": 2}}, True),
    ],
)
def test_pdb_only_when_two_replicas_are_guaranteed(
    chart: helm.Chart,  # noqa: F811
    values: dict[str, Any],
    rendered: bool,
) -> None:
    assert ("PodDisruptionBudget" in kinds(manifests(chart, values))) is rendered


def test_network_policy_admits_the_ingress_controller_and_the_needed_egress(
    chart: helm.Chart,  # noqa: F811
) -> None:
    docs = manifests(chart)
    policy = one(docs, "NetworkPolicy")["spec"]
    app_labels = one(docs, "Deployment")["spec"]["selector"]["matchLabels"]
    assert policy["podSelector"]["matchLabels"] == app_labels
    assert policy["policyTypes"] == ["Ingress", "Egress"]
    (ingress,) = policy["ingress"]
    assert ingress["from"] == [
        {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "ingress-nginx"}}}
    ]
    assert ingress["ports"] == [{"port": "http", "protocol": "TCP"}]
    ports = {(p["port"], p["protocol"]) for rule in policy["egress"] for p in rule["ports"]}
    assert ports == {(53, "UDP"), (53, "TCP"), (5432, "TCP"), (8200, "TCP"), (443, "TCP")}
    dns = policy["egress"][0]["to"]
    assert dns == [
        {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}}}
    ]

    docs = manifests(chart, EVERY_OPTION)
    policy = one(docs, "NetworkPolicy")["spec"]
    assert policy["ingress"][0]["from"][0]["podSelector"] == {"matchLabels": {"app": "traefik"}}
    assert {"ipBlock": {"cidr": "10.20.0.0/16"}} in policy["egress"][1]["to"]
    assert policy["egress"][-1] == {"ports": [{"port": 8000, "protocol": "TCP"}]}
    assert "NetworkPolicy" not in kinds(manifests(chart, {"networkPolicy": {"enabled": False}}))


def test_ingress_streams_answers_unbuffered(chart: helm.Chart) -> None:  # noqa: F811
    enabled = {"ingress": {"enabled": True}}
    annotations = one(manifests(chart, enabled), "Ingress")["metadata"]["annotations"]
    assert annotations == {
        "nginx.ingress.kubernetes.io/proxy-buffering": "off",
        "nginx.ingress.kubernetes.io/proxy-read-timeout": "3600",
        "nginx.ingress.kubernetes.io/proxy-send-timeout": "3600",
    }
    mine = {"nginx.ingress.kubernetes.io/proxy-read-timeout": "7200"}
    docs = manifests(chart, merge(enabled, {"ingress": {"annotations": mine}}))
    assert (
        one(docs, "Ingress")["metadata"]["annotations"][
            "nginx.ingress.kubernetes.io/proxy-read-timeout"
        ]
        == "7200"
    )
    docs = manifests(chart, merge(enabled, {"ingress": {"streaming": {"nginxAnnotations": False}}}))
    assert "annotations" not in one(docs, "Ingress")["metadata"]


def test_the_drain_fits_in_the_pods_grace_period(chart: helm.Chart) -> None:  # noqa: F811
    data = one(manifests(chart), "ConfigMap")["data"]
    assert int(data["SWITCHBOARD_SHUTDOWN_GRACE_S"]) < 60  # terminationGracePeriodSeconds
    too_long = {"config": {"shutdownGraceSeconds": 60}, "terminationGracePeriodSeconds": 60}
    with pytest.raises(helm.HelmRenderError, match="must be below terminationGracePeriodSeconds"):
        render(chart, too_long)


def test_behind_pgbouncer_the_cache_is_off_and_listen_goes_direct(
    chart: helm.Chart,  # noqa: F811
) -> None:
    for pod in pod_specs(manifests(chart, EVERY_OPTION)):
        env = {item["name"]: item for item in pod["containers"][0]["env"]}
        assert env["SWITCHBOARD_DATABASE_STATEMENT_CACHE"]["value"] == "false"
        listen = env["SWITCHBOARD_DATABASE_LISTEN_URL"]["valueFrom"]["secretKeyRef"]
        assert listen == {"name": "switchboard-db", "key": "listen-url"}
    for pod in pod_specs(manifests(chart)):
        names = {item["name"] for item in pod["containers"][0]["env"]}
        assert not names & {
            "SWITCHBOARD_DATABASE_STATEMENT_CACHE",
            "SWITCHBOARD_DATABASE_LISTEN_URL",
        }


def test_a_startup_probe_guards_the_slow_start(chart: helm.Chart) -> None:  # noqa: F811
    container = one(manifests(chart), "Deployment")["spec"]["template"]["spec"]["containers"][0]
    startup = container["startupProbe"]
    assert startup["httpGet"] == {"path": "/healthz", "port": "http"}
    assert startup["periodSeconds"] * startup["failureThreshold"] >= 60


def test_render_names_the_release(chart: helm.Chart) -> None:  # noqa: F811
    docs = manifests(chart)
    assert all(doc["metadata"]["namespace"] == NAMESPACE for doc in docs)
    assert one(docs, "NetworkPolicy")["metadata"]["name"] == f"{RELEASE}-switchboard"
