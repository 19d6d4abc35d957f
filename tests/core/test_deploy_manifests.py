"""deploy/ parses and has the properties production depends on: probes,
resources, non-root, one beat, TLS, autoscaling, disruption budgets, and
alert rules that name metrics the service really exports."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.test import Client

from tests.core.metrics_text import names, parse_metrics

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
K8S = DEPLOY / "k8s"
WORKERS = ("petrosa-worker-signals", "petrosa-worker-execution")


def k8s_objects() -> list[dict[str, Any]]:
    return [doc for path in sorted(K8S.glob("*.yaml")) for doc in yaml.safe_load_all(path.read_text()) if doc]


def by_kind(kind: str) -> dict[str, dict[str, Any]]:
    return {obj["metadata"]["name"]: obj for obj in k8s_objects() if obj["kind"] == kind}


def test_kustomization_lists_every_manifest() -> None:
    listed = set(yaml.safe_load((K8S / "kustomization.yaml").read_text())["resources"])
    assert listed == {p.name for p in K8S.glob("*.yaml")} - {"kustomization.yaml"}


def test_web_and_workers_have_probes_resources_and_run_as_non_root() -> None:
    deployments = by_kind("Deployment")
    assert {"petrosa-web", *WORKERS, "petrosa-beat"} <= set(deployments)
    for name, deployment in deployments.items():
        pod = deployment["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        assert pod["securityContext"]["runAsUser"] != 0, name
        for container in pod["containers"]:
            assert {"requests", "limits"} <= set(container["resources"]), name
            assert {"cpu", "memory"} <= set(container["resources"]["limits"]), name
            assert container["securityContext"]["allowPrivilegeEscalation"] is False, name
            assert container["securityContext"]["readOnlyRootFilesystem"] is True, name
            if name in ("petrosa-web", *WORKERS):
                assert {"readinessProbe", "livenessProbe"} <= set(container), name
    web = deployments["petrosa-web"]["spec"]["template"]["spec"]["containers"][0]
    assert web["readinessProbe"]["httpGet"]["path"] == "/ready"
    assert web["livenessProbe"]["httpGet"]["path"] == "/live"
    queues = {
        name: next(e["value"] for e in deployments[name]["spec"]["template"]["spec"]["containers"][0]["env"]
                   if e["name"] == "CELERY_QUEUES")
        for name in WORKERS
    }  # fmt: skip
    assert queues == {"petrosa-worker-signals": "signals", "petrosa-worker-execution": "execution"}


def test_beat_can_never_run_twice() -> None:
    beat = by_kind("Deployment")["petrosa-beat"]["spec"]
    assert beat["replicas"] == 1
    assert beat["strategy"] == {"type": "Recreate"}
    scaled = {hpa["spec"]["scaleTargetRef"]["name"] for hpa in by_kind("HorizontalPodAutoscaler").values()}
    assert "petrosa-beat" not in scaled
    assert scaled == {"petrosa-web", *WORKERS}


def test_service_tls_ingress_budgets_and_config() -> None:
    service = by_kind("Service")["petrosa-web"]["spec"]
    assert service["selector"]["app.kubernetes.io/component"] == "web"
    ingress = by_kind("Ingress")["petrosa"]["spec"]
    assert ingress["tls"][0]["secretName"] and ingress["tls"][0]["hosts"] == [ingress["rules"][0]["host"]]
    assert ingress["rules"][0]["http"]["paths"][0]["backend"]["service"]["name"] == "petrosa-web"
    budgets = {pdb["spec"]["selector"]["matchLabels"]["app.kubernetes.io/component"] for pdb in by_kind(
        "PodDisruptionBudget").values()}  # fmt: skip
    assert budgets == {"web", "worker-signals", "worker-execution"}
    config = by_kind("ConfigMap")["petrosa-config"]["data"]
    assert config["PETROSA_PRODUCTION"] == "true" and config["PROMETHEUS_MULTIPROC_DIR"].startswith("/tmp/")
    secret = by_kind("Secret")["petrosa-secrets"]["stringData"]
    assert {"SECRET_KEY", "DATABASE_URL", "REDIS_URL", "BINANCE_API_KEY", "BINANCE_API_SECRET"} <= set(secret)
    assert not set(secret) & set(config), "a secret must not also sit in the ConfigMap"


def test_compose_runs_every_role_with_one_beat() -> None:
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = compose["services"]
    assert {"postgres", "redis", "nats", "web", "worker-signals", "worker-execution", "beat", "prometheus"} <= set(
        services
    )
    assert services["worker-signals"]["environment"]["CELERY_QUEUES"] == "signals"
    assert services["worker-execution"]["environment"]["CELERY_QUEUES"] == "execution"
    assert services["beat"]["deploy"]["replicas"] == 1
    for role in ("web", "worker-signals", "worker-execution", "beat", "consumer", "migrate"):
        assert services[role]["user"] == "10001:10001", role
        assert services[role]["build"]["dockerfile"] == "deploy/Dockerfile"
    mounted = {volume.split(":")[0] for volume in services["prometheus"]["volumes"]}
    assert mounted == {"./prometheus/prometheus.yml", "./prometheus/alerts.yml"}


def test_dockerfile_is_multi_stage_and_runs_as_non_root() -> None:
    lines = [line.strip() for line in (DEPLOY / "Dockerfile").read_text().splitlines()]
    stages = [line for line in lines if line.startswith("FROM ")]
    assert len(stages) >= 2 and " AS builder" in stages[0]
    final_stage = lines[lines.index(stages[-1]):]
    users = [line.split()[1] for line in final_stage if line.startswith("USER ")]
    assert users and users[-1].split(":")[0] not in ("root", "0")
    assert any(line.startswith("COPY --from=builder") for line in final_stage)
    assert any(line.startswith("HEALTHCHECK") for line in final_stage)
    assert any("ARG GIT_COMMIT" in line for line in final_stage) and any("ARG BUILD_DATE" in line for line in lines)


@pytest.mark.django_db
def test_alert_rules_cover_the_required_cases_and_name_real_metrics(client: Client) -> None:
    rules = [rule for group in yaml.safe_load((DEPLOY / "prometheus" / "alerts.yml").read_text())["groups"]
             for rule in group["rules"]]  # fmt: skip
    alerts = {rule["alert"]: rule for rule in rules}
    assert {"PetrosaRiskBreakerTripped", "PetrosaReconciliationDifferences", "PetrosaQueueAgeHigh",
            "PetrosaNoWorkerHeartbeat"} <= set(alerts)  # fmt: skip
    assert all(rule["labels"]["severity"] in ("warning", "critical") for rule in rules)
    assert all(rule["annotations"]["summary"] and rule["annotations"]["description"] for rule in rules)

    exported = names(parse_metrics(client.get("/metrics").content.decode()))
    families = {re.sub(r"_(total|count|sum|bucket|created)$", "", name) for name in exported}
    referenced = {m for rule in rules for m in re.findall(r"\b(tradeengine_\w+)", rule["expr"])}
    # Counters appear once incremented; their family names are declared in definitions.py.
    from petrosa.core.metrics import definitions

    declared = {metric._name for metric in vars(definitions).values() if hasattr(metric, "_name")}
    unknown = {m for m in referenced if m not in exported and re.sub(r"_total$", "", m) not in families | declared}
    assert not unknown, f"alert rules name metrics nobody exports: {unknown}"


def test_prometheus_configs_load_the_rules_and_scrape_web_and_workers() -> None:
    for name in ("prometheus.yml", "prometheus-k8s.yml"):
        config = yaml.safe_load((DEPLOY / "prometheus" / name).read_text())
        assert config["rule_files"] == ["/etc/prometheus/alerts.yml"], name
        assert config["scrape_configs"], name
    compose_jobs = {job["job_name"] for job in yaml.safe_load((DEPLOY / "prometheus" / "prometheus.yml").read_text())[
        "scrape_configs"]}  # fmt: skip
    assert compose_jobs == {"petrosa-web", "petrosa-workers"}
    annotated = {name: d["spec"]["template"]["metadata"]["annotations"] for name, d in by_kind("Deployment").items()
                 if name in ("petrosa-web", *WORKERS)}  # fmt: skip
    assert {a["prometheus.io/port"] for a in annotated.values()} == {"8000", "9808"}


def test_ci_workflow_runs_the_same_make_test_as_ci_run() -> None:
    workflow = yaml.safe_load((DEPLOY.parent / ".github" / "workflows" / "ci.yml").read_text())
    steps = workflow["jobs"]["test"]["steps"]
    assert any(step.get("run") == "bash .ci/run" for step in steps)
    assert "make test" in (DEPLOY.parent / ".ci" / "run").read_text()
    assert any(step.get("with", {}).get("python-version") == "3.11" for step in steps)
