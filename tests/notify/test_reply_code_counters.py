"""Reply codes while a long fan-out is open (PostgreSQL): a warning to thousands takes
five-digit codes from its own counter, so an order notified in the same seconds gets a
four-digit code at once — it neither waits on the fan-out's uncommitted codes nor fails
on them when the fan-out commits."""

from __future__ import annotations

import threading

import pytest
from django.db import close_old_connections, connection, transaction

from notify import services
from notify.choices import Purpose
from notify.models import Notification
from notify.services._common import SMALL_BATCH
from notify.types import NotifyRequest
from tests import factories as f
from tests.notify.conftest import audiences_of

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _requests(world, forces) -> list[NotifyRequest]:
    return [
        NotifyRequest(
            purpose=Purpose.ROLL_CALL,
            subject=force,
            jurisdiction=force.jurisdiction,
            organisation=force.organisation,
            audiences=audiences_of(world, force),
            title="点名",
            body="点名",
        )
        for force in forces
    ]


def test_an_order_notified_during_a_long_fan_out_neither_waits_nor_fails(world, default_rules):
    many = [
        f.force(world.editor_a, world.water_a, leader_phone=f"1391234{n:04d}")
        for n in range(SMALL_BATCH + 20)
    ]
    one = f.force(world.editor_a, world.water_a, leader_phone="13912349999")
    written, release, errors = threading.Event(), threading.Event(), []

    def fan_out() -> None:
        try:
            with transaction.atomic():
                services.notify_many(_requests(world, many))
                written.set()
                release.wait(timeout=60)
        except Exception as exc:  # asserted on below
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    thread = threading.Thread(target=fan_out)
    thread.start()
    try:
        assert written.wait(timeout=120), errors
        with transaction.atomic():
            with connection.cursor() as cursor:
                # Waiting on the fan-out's rows would fail here instead of hanging.
                cursor.execute("SET LOCAL lock_timeout = '3s'")
            services.notify_many(_requests(world, [one]))
    finally:
        release.set()
        thread.join(timeout=120)
    assert errors == []
    codes = dict(Notification.objects.values_list("object_id", "reply_code"))
    assert len(codes) == len(many) + 1
    assert len(set(codes.values())) == len(codes)
    assert len(codes[one.pk]) == 4
    assert {len(codes[force.pk]) for force in many} == {5}
