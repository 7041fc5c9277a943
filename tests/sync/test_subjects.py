"""core.subjects: every subject the platform records events on is declared, and the
feed renders each registered kind the way its API does (on the demo's data)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from core import subjects
from core.models import Event, User
from core.roles import Role
from sync.selectors import changes_after


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), transaction.atomic(), fast:
        call_command("seed_demo", stdout=StringIO())
        yield
        transaction.set_rollback(True)


def _everything(user) -> list[dict]:
    after, changes = 0, []
    while True:
        page = changes_after(user, after=after, limit=500)
        changes += page.changes
        after = page.next
        if not page.more:
            return changes


def test_every_subject_type_of_the_demo_is_declared(demo, db):
    recorded = set(Event.objects.values_list("subject_type", flat=True).distinct())
    assert recorded
    assert recorded <= subjects.subject_types(), recorded - subjects.subject_types()


def test_superuser_reads_every_existing_registered_subject_with_its_representation(demo, db):
    root = User.objects.create_superuser("feed_root", password="pw-Linkage-2026")
    changes = _everything(root)
    assert len(changes) == Event.objects.count()
    registered = subjects.registered()
    for change in changes:
        subject = change["subject"]
        model = apps.get_model(subject["type"])
        exists = model._default_manager.filter(pk=subject["id"]).exists()
        if subject["type"] in registered:
            assert (change["data"] is not None) == exists, change
            assert change["deleted"] is (not exists)
            if exists:
                assert str(change["data"]["id"]) == subject["id"]
        else:
            assert change["data"] is None and change["deleted"] is False


def test_demo_sync_client_reads_its_city_with_representations(demo, db):
    client = User.objects.filter(groups__name=Role.SYNC_CLIENT).first()
    changes = _everything(client)
    assert changes
    kinds = {c["subject"]["kind"] for c in changes if c["data"] is not None}
    assert {"incident", "force", "expert"} <= kinds
