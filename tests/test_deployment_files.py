"""The deployment files parse and say what operators rely on: every service has a
Deployment with liveness and readiness probes on its health routes, runs as non-root,
has resources, a Service, an autoscaler and a disruption budget; secrets are only
referenced; the scheduled jobs run commands that exist; docker-compose builds every
service from the one Dockerfile on a MongoDB replica set and RabbitMQ."""

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
    assert container["securityContext"]["allowPrivilegeEscalation"] is False
    assert container["securityContext"]["capabilities"]["drop"] == ["ALL"]


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


@pytest.mark.parametrize(
    ("job", "module"),
    [
        ("points-month-end", "plussa_points.month_end"),
        ("points-expire", "plussa_points.expire"),
        ("cards-expire-temporary-cards", "plussa_cards.expire_temporary_cards"),
    ],
)
def test_each_scheduled_job_runs_a_command_that_exists_once_at_a_time(job: str, module: str) -> None:
    cron = of_kind("CronJob")[job]
    (container,) = cron["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"]

    assert container["args"] == ["python", "-m", module]
    assert module_exists(module), module
    assert cron["spec"]["concurrencyPolicy"] == "Forbid"
    assert len(cron["spec"]["schedule"].split()) == 5


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
