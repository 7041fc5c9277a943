"""The API contract (issue 11): schemathesis, run as a province would run it against the
live server, finds nothing wrong with /api/schema/ for any role, with every check on.

Each role gets its own token; the operations that end the very token a run uses (revoke,
rotate) are tested last, in a run of their own with a token of their own, so the main run
stays authenticated. Fixed seed and bounded examples keep it reproducible and within CI's
time."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import requests
from django.db import connection

from core.credentials import issue_token
from core.roles import Role
from earlywarning import services
from tests import factories as f
from tests.earlywarning.helpers import flood_data

SCHEMATHESIS = str(Path(sys.executable).with_name("st"))
CONFIG = str(Path(__file__).with_name("schemathesis.toml"))
SELF_ENDING = r"/auth/token/(revoke|rotate)/"
ROLES = [
    "duty_officer_a",
    "dispatcher_a",
    "approver_a",
    "editor_a",
    "force_account_a",
    "screen_a",
    "admin_a",
    "expert_a",
    "sync_client",
    None,  # anonymous
]


def fetch_schema(url: str, folder: Path) -> str:
    """The schema, fetched once with a patient timeout and handed to schemathesis as a file:
    generating it takes seconds on a loaded machine, and schemathesis gives its own
    download 10 s."""
    response = requests.get(f"{url}/api/schema/", params={"format": "json"}, timeout=300)
    response.raise_for_status()
    path = folder / "schema.json"
    path.write_text(response.text, encoding="utf-8")
    return str(path)


def schemathesis(
    url: str, schema: str, token: str | None, *extra: str
) -> subprocess.CompletedProcess:
    # The in-memory SQLite test database is one connection shared by the live server's
    # threads: one request at a time there; PostgreSQL (CI) takes two workers.
    workers = "1" if connection.vendor == "sqlite" else "2"
    command = [
        SCHEMATHESIS,
        "--config-file",
        CONFIG,
        "run",
        schema,
        "--url",
        url,
        "--checks",
        "all",
        "--seed",
        "1",
        "--max-examples",
        "3",
        "--phases",
        "examples,fuzzing,stateful",
        "--generation-database",
        "none",
        "--no-color",
        "--workers",
        workers,
        *extra,
    ]
    if token:
        command += ["-H", f"Authorization: Token {token}"]
    return subprocess.run(command, capture_output=True, text=True, timeout=600)


def report(run: subprocess.CompletedProcess) -> str:
    """The summary first (what failed, how often), then every failure in full."""
    summary = run.stdout[run.stdout.rfind("Failures:") :] if "Failures:" in run.stdout else ""
    return f"{summary}\n{run.stdout}\n{run.stderr[-5000:]}"


@pytest.fixture
def contract_world(transactional_db, live_server, warning_world):
    world = warning_world
    world.expert_a = f.user("expert_a", world.bureau_a, Role.EXPERT)
    # A published warning with its recipients and a draft, so the warnings API's detail
    # routes and actions answer with data, not only 404s.
    live = services.create_draft(actor=world.editor_a, data=flood_data(world))
    services.publish_warning(actor=world.editor_a, warning_id=live.pk)
    services.create_draft(actor=world.editor_a, data=flood_data(world, level="yellow"))
    return world


@pytest.mark.parametrize("persona", ROLES, ids=[role or "anonymous" for role in ROLES])
def test_schemathesis_finds_nothing_wrong_with_the_schema(
    contract_world, live_server, persona, tmp_path
):
    user = getattr(contract_world, persona) if persona else None
    schema = fetch_schema(live_server.url, tmp_path)
    token = issue_token(user=user, name="contract").secret if user else None
    main = schemathesis(live_server.url, schema, token, "--exclude-path-regex", SELF_ENDING)
    assert main.returncode == 0, report(main)
    token = issue_token(user=user, name="contract-end").secret if user else None
    ending = schemathesis(live_server.url, schema, token, "--include-path-regex", SELF_ENDING)
    assert ending.returncode == 0, report(ending)
