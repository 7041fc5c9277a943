"""Row locks and the event counter under concurrent writers (RELIABILITY.md: concurrency
tests run on PostgreSQL with at least 20 simultaneous requests)."""

import threading

import pytest
from django.db import close_old_connections, connection

from core.models import Event
from forces import services
from forces.models import Force
from tests import factories as f

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

WRITERS = 24


def _run_concurrently(fn, n):
    barrier = threading.Barrier(n)
    errors = []

    def worker(i):
        try:
            barrier.wait(timeout=10)
            fn(i)
        except Exception as exc:  # collected and asserted on below
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return errors


def test_concurrent_writers_get_gapless_strictly_increasing_sequence(world):
    forces = [f.force(world.admin_a, world.water_a) for _ in range(WRITERS)]
    start = Event.objects.order_by("-seq").values_list("seq", flat=True).first()

    def write(i):
        services.update_force(
            actor=world.admin_a, force_id=forces[i].pk, data={"headcount": 100 + i}
        )

    assert _run_concurrently(write, WRITERS) == []
    seqs = list(Event.objects.filter(seq__gt=start).order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(start + 1, start + 1 + WRITERS))


def test_concurrent_edits_of_one_force_all_land_in_history(world):
    force = world.force_a
    history_before = force.history.count()

    def write(i):
        services.update_force(actor=world.editor_a, force_id=force.pk, data={"headcount": 1000 + i})

    assert _run_concurrently(write, WRITERS) == []
    assert force.history.count() == history_before + WRITERS
    final = Force.objects.get(pk=force.pk).headcount
    assert final == force.history.latest().headcount


def test_concurrent_writers_keep_the_audit_hash_chain_intact(world):
    from core.audit import verify_chain

    forces = [f.force(world.admin_a, world.water_a) for _ in range(WRITERS)]

    def write(i):
        services.update_force(
            actor=world.admin_a, force_id=forces[i].pk, data={"headcount": 200 + i}
        )

    assert _run_concurrently(write, WRITERS) == []
    report = verify_chain()
    assert report.intact, report
    assert report.last_seq == Event.objects.order_by("-seq").values_list("seq", flat=True)[0]
