"""A province that pages the change feed while the counties write receives every change
of its jurisdiction exactly once, in commit order (PostgreSQL, real concurrent
transactions; the counter row makes sequence order commit order)."""

from __future__ import annotations

import random
import threading
import time

import pytest
from django.db import close_old_connections, connection, transaction

from core.models import Event
from core.visibility import event_filter
from forces import services as force_services
from sync.selectors import changes_after
from tests import factories as f

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

WRITERS = 6
WRITES_EACH = 12


def _writer(world, i: int, errors: list) -> None:
    rng = random.Random(i)
    try:
        for n in range(WRITES_EACH):
            # A transaction that stays open a moment after its event: readers run while
            # a smaller seq is still uncommitted.
            with transaction.atomic():
                if i % 3 == 0:
                    force_services.update_force(
                        actor=world.editor_a,
                        force_id=world.force_a.pk,
                        data={"headcount": 30 + i * WRITES_EACH + n},
                    )
                elif i % 3 == 1:
                    f.incident(
                        world.duty_officer_a, jurisdiction=world.county_a, title=f"临清险情{i}-{n}"
                    )
                else:
                    f.incident(
                        world.duty_officer_b, jurisdiction=world.county_b, title=f"阳谷险情{i}-{n}"
                    )
                time.sleep(rng.uniform(0, 0.01))
            time.sleep(rng.uniform(0, 0.005))
    except Exception as exc:  # collected and asserted on below
        errors.append(exc)
    finally:
        close_old_connections()
        connection.close()


def _reader(user, done: threading.Event, received: list, errors: list, **filters) -> None:
    after = 0
    try:
        while True:
            finished = done.is_set()
            page = changes_after(user, after=after, limit=3, **filters)
            assert page.next >= after
            received.extend(c["seq"] for c in page.changes)
            after = page.next
            if finished and not page.more:
                return
            if not page.more:
                time.sleep(0.002)
    except Exception as exc:
        errors.append(exc)
    finally:
        close_old_connections()
        connection.close()


def test_paging_readers_get_every_change_once_in_order_while_counties_write(world):
    done = threading.Event()
    errors: list = []
    readers = {
        "city": (world.sync_client, {}),
        "county_a": (world.duty_officer_a, {}),
        "city_filtered_to_b": (world.sync_client, {"jurisdiction": world.county_b.code}),
        "city_incidents": (world.sync_client, {"kinds": {"incident"}}),
    }
    received: dict[str, list[int]] = {name: [] for name in readers}
    reader_threads = [
        threading.Thread(target=_reader, args=(user, done, received[name], errors), kwargs=kw)
        for name, (user, kw) in readers.items()
    ]
    writer_threads = [
        threading.Thread(target=_writer, args=(world, i, errors)) for i in range(WRITERS)
    ]
    for t in reader_threads + writer_threads:
        t.start()
    for t in writer_threads:
        t.join(timeout=120)
    done.set()
    for t in reader_threads:
        t.join(timeout=120)
    assert errors == []

    def expected(user, **q):
        return list(
            Event.objects.filter(event_filter(user), **q)
            .order_by("seq")
            .values_list("seq", flat=True)
        )

    written = Event.objects.filter(created_at__isnull=False).count()
    assert written >= WRITERS * WRITES_EACH
    assert received["city"] == expected(world.sync_client)
    assert received["county_a"] == expected(world.duty_officer_a)
    assert received["city_filtered_to_b"] == expected(
        world.sync_client, jurisdiction__path__startswith=world.county_b.path
    )
    assert received["city_incidents"] == expected(
        world.sync_client, subject_type="command.incident"
    )
    # The county reader saw its writes but none of county B's.
    assert set(received["county_a"]).isdisjoint(
        expected(world.sync_client, jurisdiction__path__startswith=world.county_b.path)
    )
    assert len(received["city"]) > len(received["county_a"]) > 0
