"""The deployment files parse and say what operators rely on: every service has a
Deployment with liveness and readiness probes on its health routes, runs as non-root,
has resources, a Service, an autoscaler and a disruption budget; secrets are only
referenced; the scheduled jobs run commands that exist; docker-compose builds every
service from the one Dockerfile on a MongoDB replica set and RabbitMQ."""

import copy
import functools
import importlib.util
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
SERVICES = ("identity", "cards", "points", "benefits", "notifications", "receipts")
PORTS = {service: 8081 + index for index, service in enumerate(SERVICES)}


def documents(path: Path) -> list[dict[str, Any]]:
    # Parsed once per file: many tests read the same manifests, and none changes them.
    return copy.deepcopy(_parsed(path))


@functools.cache
def _parsed(path: Path) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc is not None]


def kustomization() -> dict[str, Any]:
    (doc,) = documents(DEPLOY / "kustomization.yaml")
    return doc


def manifests() -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for resource in kustomization()["resources"]:
        found.extend(documents(DEPLOY / resource))
    return found


def of_kind(kind: str) -> dict[str, dict[str, Any]]:
    return {doc["metadata"]["name"]: doc for doc in manifests() if doc["kind"] == kind}


def module_exists(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:
        return False


def test_every_yaml_file_in_deploy_parses_and_is_listed_in_the_kustomization() -> None:
    files = {path.relative_to(DEPLOY).as_posix() for path in DEPLOY.rglob("*.yaml")}
    listed = set(kustomization()["resources"])

    assert files - {"kustomization.yaml"} == listed
    for name in files:
        assert documents(DEPLOY / name), name


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_deployment_probes_its_health_routes_and_runs_as_non_root(service: str) -> None:
    deployment = of_kind("Deployment")[service]
    pod = deployment["spec"]["template"]["spec"]
    (container,) = pod["containers"]

    assert container["image"] == f"plussa-{service}"
    assert container["args"] == ["python", "-m", f"plussa_{service}"]
    assert container["ports"][0]["containerPort"] == PORTS[service]
    assert container["livenessProbe"]["httpGet"]["path"] == "/health/live"
    assert container["readinessProbe"]["httpGet"]["path"] == "/health/ready"
    assert {"cpu", "memory"} <= set(container["resources"]["requests"])
    assert "memory" in container["resources"]["limits"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] != 0
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    assert pod["automountServiceAccountToken"] is False
    assert container["securityContext"]["allowPrivilegeEscalation"] is False
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert container["securityContext"]["capabilities"]["drop"] == ["ALL"]
    assert {"cpu", "memory"} <= set(container["resources"]["limits"])
    assert container["startupProbe"]["httpGet"]["path"] == "/health/live"


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_has_a_service_an_autoscaler_and_a_disruption_budget_that_select_its_pods(
    service: str,
) -> None:
    labels = of_kind("Deployment")[service]["spec"]["template"]["metadata"]["labels"]

    def selects(selector: dict[str, str]) -> bool:
        return all(labels.get(key) == value for key, value in selector.items())

    assert selects(of_kind("Service")[service]["spec"]["selector"])
    assert of_kind("Service")[service]["spec"]["ports"][0]["port"] == PORTS[service]
    assert of_kind("HorizontalPodAutoscaler")[service]["spec"]["scaleTargetRef"]["name"] == service
    assert of_kind("HorizontalPodAutoscaler")[service]["spec"]["minReplicas"] >= 2
    assert selects(of_kind("PodDisruptionBudget")[service]["spec"]["selector"]["matchLabels"])


def test_settings_come_from_generated_config_maps_and_secrets_are_referenced_but_not_included() -> None:
    generated = {entry["name"]: entry["literals"] for entry in kustomization()["configMapGenerator"]}
    pods = [doc["spec"]["template"]["spec"] for doc in of_kind("Deployment").values()]
    pods += [doc["spec"]["jobTemplate"]["spec"]["template"]["spec"] for doc in of_kind("CronJob").values()]

    assert not [doc for doc in manifests() if doc["kind"] == "Secret"]
    for pod in pods:
        for container in pod["containers"]:
            sources = container["envFrom"]
            config = next(s["configMapRef"]["name"] for s in sources if "configMapRef" in s)
            secret = next(s["secretRef"]["name"] for s in sources if "secretRef" in s)
            service = config.removeprefix("plussa-").removesuffix("-config")
            assert config in generated
            assert secret == f"plussa-{service}-secrets"
            assert all(literal.startswith(f"PLUSSA_{service.upper()}_") for literal in generated[config])
            assert not any(re.search(r"(PASSWORD|SECRET|_URL=(mongodb|amqp))", lit) for lit in generated[config])


def test_production_declares_quorum_queues_with_a_delivery_limit_for_every_service() -> None:
    generated = {entry["name"]: entry["literals"] for entry in kustomization()["configMapGenerator"]}

    for service in SERVICES:
        literals = generated[f"plussa-{service}-config"]
        prefix = f"PLUSSA_{service.upper()}_"
        assert f"{prefix}QUEUE_TYPE=quorum" in literals
        assert any(literal.startswith(f"{prefix}QUEUE_DELIVERY_LIMIT=") for literal in literals)


@pytest.mark.parametrize(
    ("job", "module"),
    [
        ("points-expire", "plussa_points.commands.expire"),
        ("cards-expire-temporary-cards", "plussa_cards.commands.expire_temporary_cards"),
    ],
)
def test_each_scheduled_job_runs_a_command_that_exists_once_at_a_time(job: str, module: str) -> None:
    cron = of_kind("CronJob")[job]
    (container,) = cron["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"]

    assert container["args"] == ["python", "-m", module]
    assert module_exists(module), module
    assert cron["spec"]["concurrencyPolicy"] == "Forbid"
    assert len(cron["spec"]["schedule"].split()) == 5


def test_receipts_expire_daily_through_the_receipts_expiry_command_once_at_a_time() -> None:
    cron = of_kind("CronJob")["receipts-expire-receipts"]
    (container,) = cron["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"]

    assert container["image"] == "plussa-receipts"
    assert container["args"] == ["python", "-m", "plussa_receipts.commands.expire_receipts"]
    assert cron["spec"]["concurrencyPolicy"] == "Forbid"
    assert cron["spec"]["schedule"].split()[2:] == ["*", "*", "*"]


def test_month_end_runs_monthly_as_an_indexed_job_whose_pods_each_close_their_own_partition() -> None:
    cron = of_kind("CronJob")["points-month-end"]
    job = cron["spec"]["jobTemplate"]["spec"]
    (container,) = job["template"]["spec"]["containers"]
    workers = job["completions"]

    assert cron["spec"]["schedule"].split()[2:] == ["1", "*", "*"]
    assert cron["spec"]["concurrencyPolicy"] == "Forbid"
    assert job["completionMode"] == "Indexed"
    assert workers >= 2
    assert job["parallelism"] == workers
    assert container["args"] == [
        "python",
        "-m",
        "plussa_points.commands.month_end",
        "--partition",
        f"$(JOB_COMPLETION_INDEX)/{workers}",
    ]
    assert module_exists("plussa_points.commands.month_end")
    # A failed partition is retried alone; that needs pods that are not restarted in place.
    assert job["backoffLimitPerIndex"] >= 1
    assert job["template"]["spec"]["restartPolicy"] == "Never"


def test_one_dockerfile_builds_any_service_from_its_name_settings_prefix_and_port() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()

    assert not list((ROOT / "services").glob("*/Dockerfile"))
    for arg in ("SERVICE", "PREFIX", "PORT"):
        assert f"ARG {arg}" in dockerfile
    assert 'uv export --frozen --no-dev --package "plussa-$SERVICE"' in dockerfile
    assert "COPY services/${SERVICE}/ services/${SERVICE}/" in dockerfile
    assert "PLUSSA_SERVICE_MODULE=plussa_${SERVICE}" in dockerfile
    assert "PLUSSA_${PREFIX}_PORT=${PORT}" in dockerfile
    assert "PLUSSA_${PREFIX}_HOST=0.0.0.0" in dockerfile
    assert "EXPOSE ${PORT}" in dockerfile
    assert "USER 10001:10001" in dockerfile
    assert 'exec python -m \\"$PLUSSA_SERVICE_MODULE\\"' in dockerfile


def test_docker_compose_runs_a_mongodb_replica_set_rabbitmq_and_every_service_from_the_dockerfile() -> None:
    (compose,) = documents(ROOT / "docker-compose.yml")
    services = compose["services"]

    assert services["mongo"]["image"].startswith("mongo:6.0")
    assert "--replSet" in services["mongo"]["command"]
    assert "rs.initiate" in " ".join(services["mongo-init"]["command"])
    assert services["rabbitmq"]["image"] == "rabbitmq:3.13-management"
    for service in SERVICES:
        spec = services[service]
        prefix = f"PLUSSA_{service.upper()}_"
        assert (ROOT / spec["build"]["dockerfile"]).resolve() == ROOT / "Dockerfile"
        assert spec["build"]["args"] == {"SERVICE": service, "PREFIX": service.upper(), "PORT": str(PORTS[service])}
        assert module_exists(f"plussa_{service}.__main__"), service
        assert "replicaSet=rs0" in spec["environment"][f"{prefix}MONGO_URL"]
        assert spec["environment"][f"{prefix}AMQP_URL"].startswith("amqp://")
        assert "/health/ready" in " ".join(spec["healthcheck"]["test"])
        assert spec["depends_on"]["mongo-init"]["condition"] == "service_completed_successfully"
        assert spec["depends_on"]["rabbitmq"]["condition"] == "service_healthy"


def test_every_scheduled_job_runs_as_non_root_read_only_without_privileges_and_with_resources() -> None:
    for name, cron in of_kind("CronJob").items():
        pod = cron["spec"]["jobTemplate"]["spec"]["template"]["spec"]
        (container,) = pod["containers"]
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}, name
        assert container["securityContext"]["allowPrivilegeEscalation"] is False, name
        assert container["securityContext"]["readOnlyRootFilesystem"] is True, name
        assert container["securityContext"]["capabilities"]["drop"] == ["ALL"], name
        assert {"cpu", "memory"} <= set(container["resources"]["requests"]), name
        assert "memory" in container["resources"]["limits"], name


# Network policies: what each pod may send to and receive from, as (namespace, pod
# labels, protocol, port), gathered from every policy that selects the pod.
DNS = {("kube-system", "k8s-app=kube-dns", "UDP", 53), ("kube-system", "k8s-app=kube-dns", "TCP", 53)}
DATA = {
    ("plussa-infra", "app.kubernetes.io/name=mongodb", "TCP", 27017),
    ("plussa-infra", "app.kubernetes.io/name=rabbitmq", "TCP", 5671),
}
JWKS = {("plussa", "app.kubernetes.io/name=identity", "TCP", 8081)}
SMTP = {("0.0.0.0/0 except private ranges", "", "TCP", 587)}


def selects(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    if not all(labels.get(key) == value for key, value in selector.get("matchLabels", {}).items()):
        return False
    for expression in selector.get("matchExpressions", []):
        inside = labels.get(expression["key"]) in expression["values"]
        if inside != (expression["operator"] == "In"):
            return False
    return True


def peer(rule_peer: dict[str, Any]) -> tuple[str, str]:
    if "ipBlock" in rule_peer:
        block = rule_peer["ipBlock"]
        private = block.get("except") == ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]
        return (f"{block['cidr']} except private ranges" if private else block["cidr"], "")
    namespaces = rule_peer.get("namespaceSelector")
    namespace = "plussa" if namespaces is None else ",".join(f"{k}={v}" for k, v in namespaces["matchLabels"].items())
    namespace = namespace.removeprefix("kubernetes.io/metadata.name=")
    pods = rule_peer.get("podSelector", {}).get("matchLabels", {})
    return (namespace, ",".join(f"{k}={v}" for k, v in sorted(pods.items())))


def allowed(labels: dict[str, str], direction: str) -> set[tuple[str, str, str, int]]:
    """Every (namespace, pods, protocol, port) the pod may reach (Egress) or be reached from (Ingress)."""
    found: set[tuple[str, str, str, int]] = set()
    for policy in of_kind("NetworkPolicy").values():
        spec = policy["spec"]
        if direction not in spec["policyTypes"] or not selects(spec["podSelector"], labels):
            continue
        for rule in spec.get(direction.lower(), []):
            peers = rule.get("to" if direction == "Egress" else "from") or [{"anyone": True}]
            ports = rule.get("ports") or [{"protocol": "ANY", "port": 0}]
            for one in peers:
                where = peer(one) if "anyone" not in one else ("ANYONE", "")
                found |= {(*where, port.get("protocol", "TCP"), port["port"]) for port in ports}
    return found


def pod_labels() -> dict[str, dict[str, str]]:
    labels = {name: doc["spec"]["template"]["metadata"]["labels"] for name, doc in of_kind("Deployment").items()}
    for name, cron in of_kind("CronJob").items():
        labels[name] = cron["spec"]["jobTemplate"]["spec"]["template"]["metadata"]["labels"]
    return labels


def test_every_pod_is_denied_all_traffic_unless_a_policy_lets_it() -> None:
    deny = of_kind("NetworkPolicy")["default-deny"]["spec"]

    assert deny["podSelector"] == {}
    assert sorted(deny["policyTypes"]) == ["Egress", "Ingress"]
    assert "ingress" not in deny
    assert "egress" not in deny


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_may_send_only_to_dns_its_data_stores_identitys_jwks_and_for_notifications_smtp(
    service: str,
) -> None:
    expected = DNS | DATA
    if service != "identity":
        expected |= JWKS
    if service == "notifications":
        expected |= SMTP

    assert allowed(pod_labels()[service], "Egress") == expected


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_may_be_called_only_from_the_ingress_namespaces_and_prometheus_on_its_port(service: str) -> None:
    port = PORTS[service]
    expected = {
        ("plussa.fi/ingress=true", "", "TCP", port),
        ("monitoring", "app.kubernetes.io/name=prometheus", "TCP", port),
    }
    if service == "identity":  # the other services fetch its JWKS
        expected.add(("plussa", "app.kubernetes.io/component=service", "TCP", port))

    assert allowed(pod_labels()[service], "Ingress") == expected


def test_scheduled_jobs_reach_only_dns_and_their_data_stores_and_accept_no_connection() -> None:
    for job in of_kind("CronJob"):
        labels = pod_labels()[job]
        assert allowed(labels, "Egress") == DNS | DATA, job
        assert allowed(labels, "Ingress") == set(), job
