"""docker-compose.yml: valid Compose, and shaped for more than one web node.

Migrations run once in a one-shot service the others wait for; web publishes no host
port (so it scales) and starts two replicas; nginx serves the repository's config; one
beat. Checked against the Compose Specification's own JSON schema (vendored in
compose_spec/) and, where the binary is installed (CI installs it), by docker-compose.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = Path(__file__).resolve().parent / "compose_spec" / "compose-spec.json"
DOCKER_COMPOSE = shutil.which("docker-compose")
SCHEMA_USERS = {"web", "worker", "beat"}


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def command_line(service: dict) -> str:
    command = service.get("command", "")
    return " ".join(command) if isinstance(command, list) else command


def test_compose_file_is_valid_against_the_compose_specification(compose):
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    errors = sorted(
        jsonschema.Draft7Validator(schema).iter_errors(compose), key=lambda e: list(e.path)
    )
    assert not errors, [f"{'/'.join(map(str, e.path))}: {e.message}" for e in errors]


def test_the_schema_check_refuses_a_broken_compose_file(compose):
    """The vendored schema really checks something: a typo in a service is refused."""
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    broken = {**compose, "services": {**compose["services"], "web": {"comand": "x"}}}
    assert not jsonschema.Draft7Validator(schema).is_valid(broken)


def test_migrations_run_once_in_a_one_shot_service_that_the_others_wait_for(compose):
    services = compose["services"]
    migrate = services["migrate"]
    assert "migrate --noinput" in command_line(migrate)
    assert "loaddata divisions specialties formations incident_types" in command_line(migrate)
    assert migrate.get("restart") == "no", "a one-shot service must not be restarted"
    for name in SCHEMA_USERS:
        waits = services[name]["depends_on"]
        assert waits["migrate"] == {"condition": "service_completed_successfully"}, name
        assert "migrate" not in command_line(services[name]), f"{name} must not migrate"


def test_web_publishes_no_host_port_so_it_scales_to_two_replicas(compose):
    web = compose["services"]["web"]
    assert "ports" not in web, "replicas would fight over one host port; nginx is the way in"
    assert "8000" in [str(port) for port in web.get("expose", [])]
    assert web["deploy"]["replicas"] >= 2
    assert "container_name" not in web


def test_web_trusts_forwarded_headers_only_from_private_networks(compose):
    web = compose["services"]["web"]
    assert "--proxy-headers" in command_line(web)
    allowed = web["environment"]["FORWARDED_ALLOW_IPS"]
    assert "*" not in allowed
    assert re.search(r"172\.16\.0\.0/12", allowed)


def test_nginx_serves_the_repository_config_and_is_the_only_published_web_port(compose):
    nginx = compose["services"]["nginx"]
    assert nginx["image"].split(":")[0] == "nginx", "the official image"
    assert "./deploy/nginx/linkage.conf:/etc/nginx/conf.d/default.conf:ro" in nginx["volumes"]
    assert (ROOT / "deploy" / "nginx" / "linkage.conf").is_file()
    assert any(str(port).endswith(":80") for port in nginx["ports"])
    published = [name for name, svc in compose["services"].items() if svc.get("ports")]
    assert published == ["nginx"]


def test_exactly_one_beat_runs_and_a_worker_runs_beside_it(compose):
    services = compose["services"]
    beats = [name for name, svc in services.items() if " beat" in command_line(svc)]
    assert beats == ["beat"]
    assert services["beat"].get("deploy", {}).get("replicas", 1) == 1
    assert " worker" in command_line(services["worker"])


def test_every_process_gets_the_connection_pool_settings(compose):
    for name in [*SCHEMA_USERS, "migrate"]:
        environment = compose["services"][name]["environment"]
        for variable in (
            "DATABASE_POOL_MAX_SIZE",
            "DATABASE_POOL_MIN_SIZE",
            "DATABASE_POOL_TIMEOUT",
        ):
            assert variable in environment, (name, variable)


def test_secrets_and_local_state_stay_out_of_the_image():
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    for path in (".env", ".venv", "var", "db.sqlite3", ".git"):
        assert path in ignored, path


@pytest.mark.skipif(DOCKER_COMPOSE is None, reason="docker-compose is not installed")
def test_docker_compose_accepts_the_file_with_the_example_environment(tmp_path):
    shutil.copy(ROOT / "docker-compose.yml", tmp_path / "docker-compose.yml")
    shutil.copy(ROOT / ".env.example", tmp_path / ".env")
    shutil.copytree(ROOT / "deploy", tmp_path / "deploy")
    done = subprocess.run(
        [DOCKER_COMPOSE, "config"], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    resolved = yaml.safe_load(done.stdout)
    assert set(resolved["services"]) == {
        "postgres",
        "redis",
        "migrate",
        "web",
        "worker",
        "beat",
        "nginx",
    }
    assert resolved["services"]["web"]["deploy"]["replicas"] == 2
    assert resolved["services"]["web"]["environment"]["DATABASE_POOL_MAX_SIZE"] == "10"
