"""Read-only reports on a replica (core.replica, DATABASE_REPLICA_URL).

Routing is checked in a process whose settings name a replica, as a deployment's do;
the exports are fetched there through Django's test client with every query captured
per connection. The replica alias points at the same PostgreSQL database as the primary
(as TEST MIRROR does), so what differs is only which connection ran each query.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.urls import reverse

from core.replica import ReplicaRouter, replica_reads
from forces.models import Force
from tests import factories as f

ROOT = Path(__file__).resolve().parents[2]

ROUTING = """
import json, django
django.setup()
from django.db import transaction
from core.replica import ReplicaRouter, replica_reads
from forces.models import Force

router = ReplicaRouter()
seen = {"outside": Force.objects.all().db}
with replica_reads():
    seen["inside"] = Force.objects.all().db
    with transaction.atomic():
        seen["inside_atomic"] = Force.objects.all().db
    seen["after_atomic"] = Force.objects.all().db
    seen["write"] = router.db_for_write(Force)
seen["migrate_on_replica"] = router.allow_migrate("replica", "forces")
seen["migrate_on_default"] = router.allow_migrate("default", "forces")
print(json.dumps(seen))
"""

EXPORTS = """
import json, sys, django
django.setup()
from django.db import connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from core.models import User

seen = {}
for username, path in zip(sys.argv[1::2], sys.argv[2::2]):
    client = Client()
    client.force_login(User.objects.get(username=username))
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections["replica"]) as replica,
    ):
        response = client.get(path)
    seen[path] = {
        "status": response.status_code,
        "type": response.get("Content-Type", ""),
        "primary": [q["sql"] for q in primary.captured_queries],
        "replica": [q["sql"] for q in replica.captured_queries],
    }
print(json.dumps(seen))
"""


def database_url() -> str:
    s = connection.settings_dict
    return f"postgres://{s['USER']}:{s['PASSWORD']}@{s['HOST']}:{s['PORT'] or 5432}/{s['NAME']}"


def with_replica(code: str, *args: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REDIS_", "CELERY_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_DEBUG="1",
        DATABASE_URL=database_url(),
        DATABASE_REPLICA_URL=database_url(),
        OTP_REQUIRED_ROLES="",
    )
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_without_a_replica_report_reads_stay_on_the_primary(db):
    with replica_reads():
        assert Force.objects.all().db == "default"
    assert ReplicaRouter().db_for_read(Force) is None


@pytest.mark.postgres
def test_with_a_replica_only_reads_marked_as_report_reads_leave_the_primary(db):
    seen = with_replica(ROUTING)
    assert seen["outside"] == "default"
    assert seen["inside"] == "replica"
    # Inside a transaction a read must see the transaction's own writes.
    assert seen["inside_atomic"] == "default"
    assert seen["after_atomic"] == "replica"
    assert seen["write"] == "default"
    assert seen["migrate_on_replica"] is False
    assert seen["migrate_on_default"] is True


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_registry_grid_and_reserve_exports_read_from_the_replica(world):
    f.force(world.editor_a, world.water_a, name="临清市第二抢险队")
    exports = {
        reverse("forces:census_export"): (world.editor_a.username, '"forces_force"'),
        reverse("earlywarning:grid_export"): (world.duty_officer_a.username, '"earlywarning_grid"'),
        reverse("support:reserves_export"): (
            world.duty_officer_a.username,
            '"support_warehouse"',
        ),
    }
    args = [item for path, (user, _table) in exports.items() for item in (user, path)]
    seen = with_replica(EXPORTS, *args)
    for path, (_user, table) in exports.items():
        got = seen[path]
        assert got["status"] == 200, (path, got["status"])
        assert "spreadsheetml" in got["type"], path
        assert any(table in sql for sql in got["replica"]), (path, got["replica"])
        assert not any(table in sql for sql in got["primary"]), (path, got["primary"])
