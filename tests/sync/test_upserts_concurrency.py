"""Concurrent first upserts of one external id (PostgreSQL): one creates, the others
update what it created — never a duplicate, never a 409."""

from __future__ import annotations

import threading

import pytest
from django.db import close_old_connections, connection
from rest_framework.test import APIClient

from core.models import Event
from forces.models import Force

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CLIENTS = 12


def test_simultaneous_identical_first_upserts_make_one_force_and_one_creation_event(world):
    start = Event.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    body = {
        "name": "省防汛机动抢险队临清分队",
        "category": "government",
        "organisation": world.water_a.pk,
        "duty_phone": "0635-2345678",
    }
    barrier = threading.Barrier(CLIENTS)
    statuses: list[int] = []
    errors: list[Exception] = []

    def upsert() -> None:
        try:
            client = APIClient()
            client.force_authenticate(world.sync_client)
            barrier.wait(timeout=10)
            answer = client.put(
                "/api/v1/forces/forces/by-external-id/sd:race-1/", body, format="json"
            )
            statuses.append(answer.status_code)
        except Exception as exc:  # collected and asserted on below
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=upsert) for _ in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert sorted(statuses) == [200] * (CLIENTS - 1) + [201]
    assert Force.objects.filter(external_id="sd:race-1").count() == 1
    created = Event.objects.filter(pk__gt=start, type="force.created").count()
    updated = Event.objects.filter(pk__gt=start, type="force.updated").count()
    assert (created, updated) == (1, 0)
