"""Two approvers at once, or a double click, give exactly one approval and one set of
orders; the others get 409 with a clear code (SPEC §4: "no transition can be skipped,
repeated or done by the wrong role or jurisdiction, even by two people clicking at once";
RELIABILITY.md: row locks plus constraints, at least 20 simultaneous requests, on
PostgreSQL — SQLite ignores row locks)."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from django.db import close_old_connections, connection
from django.utils import timezone
from rest_framework.test import APIClient

from core.models import Event
from core.roles import Role
from dispatch import services
from dispatch.choices import AlertKind, OrderStatus, PlanStatus
from dispatch.models import CallOutOrder, CallOutPlan, Consent, DispatchAlert, Notice
from dispatch.services import orders as order_services
from forces.choices import ForceStatus
from forces.models import Force
from tests import factories as f

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

REQUESTS = 24


def _run_concurrently(fn, n):
    """Start ``n`` threads on a barrier so their requests hit the database together;
    return each thread's result and the exceptions raised."""
    barrier = threading.Barrier(n)
    results: list = [None] * n
    errors: list = []

    def worker(i):
        try:
            barrier.wait(timeout=10)
            results[i] = fn(i)
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
    return results, errors


def _post(user, url, data=None):
    client = APIClient()
    client.force_authenticate(user)
    response = client.post(url, data or {}, format="json")
    return response.status_code, response.json()


def _approvers(w, n):
    return [w.approver_a] + [
        f.user(f"approver_a_{i}", w.bureau_a, Role.BUREAU_APPROVER) for i in range(1, n)
    ]


def test_concurrent_approvals_give_one_approval_and_one_set_of_orders(incident_world):
    w = incident_world
    plan = f.plan(w.dispatcher_a, w.incident_a, [w.force_a, w.force_power_a], submit=True)
    approvers = _approvers(w, REQUESTS)
    url = f"/api/v1/dispatch/plans/{plan.pk}/approve/"

    results, errors = _run_concurrently(lambda i: _post(approvers[i], url), REQUESTS)

    assert errors == []
    winners = [body for code, body in results if code == 200]
    losers = [body for code, body in results if code != 200]
    assert len(winners) == 1
    assert len(winners[0]["orders"]) == 2
    assert len(losers) == REQUESTS - 1
    assert {code for code, _ in results if code != 200} == {409}
    assert {body["code"] for body in losers} == {"already_decided"}
    assert all(body["detail"] for body in losers)
    assert CallOutPlan.objects.get(pk=plan.pk).status == PlanStatus.APPROVED
    assert CallOutOrder.objects.filter(plan=plan).count() == 2
    assert Notice.objects.filter(order__plan=plan).count() == 2
    assert Event.objects.filter(type="plan.approved", subject_id=str(plan.pk)).count() == 1
    assert Event.objects.filter(type="order.issued").count() == 2


def test_concurrent_approve_and_reject_decide_once(incident_world):
    w = incident_world
    plan = f.plan(w.dispatcher_a, w.incident_a, [w.force_a], submit=True)
    approvers = _approvers(w, REQUESTS)
    base = f"/api/v1/dispatch/plans/{plan.pk}/"

    def decide(i):
        if i % 2:
            return _post(approvers[i], f"{base}reject/", {"reason": "力量不足"})
        return _post(approvers[i], f"{base}approve/")

    results, errors = _run_concurrently(decide, REQUESTS)

    assert errors == []
    assert sorted(code for code, _ in results) == [200] + [409] * (REQUESTS - 1)
    assert {body["code"] for code, body in results if code == 409} == {"already_decided"}
    plan.refresh_from_db()
    decided = Event.objects.filter(
        type__in=["plan.approved", "plan.rejected"], subject_id=str(plan.pk)
    )
    assert decided.count() == 1
    expected_orders = 1 if plan.status == PlanStatus.APPROVED else 0
    assert CallOutOrder.objects.filter(plan=plan).count() == expected_orders


@pytest.mark.parametrize("clicks", [2, REQUESTS])
def test_double_click_on_an_order_step_counts_once(incident_world, clicks):
    w = incident_world
    plan = f.plan(w.dispatcher_a, w.incident_a, [w.force_a], submit=True)
    (order,) = services.approve_plan(actor=w.approver_a, plan_id=plan.pk)
    url = f"/api/v1/dispatch/orders/{order.pk}/acknowledge/"

    results, errors = _run_concurrently(lambda i: _post(w.force_account_a, url), clicks)

    assert errors == []
    assert sorted(code for code, _ in results) == [200] + [409] * (clicks - 1)
    assert {body["code"] for code, body in results if code == 409} == {"invalid_step"}
    assert CallOutOrder.objects.get(pk=order.pk).status == OrderStatus.ACKNOWLEDGED
    assert Event.objects.filter(type="order.acknowledged", subject_id=str(order.pk)).count() == 1


def test_concurrent_consents_record_one_row(incident_world):
    w = incident_world
    plan = f.plan(w.dispatcher_a, w.incident_a, [w.force_a], submit=True)
    url = f"/api/v1/dispatch/plans/{plan.pk}/consent/"

    results, errors = _run_concurrently(
        lambda i: _post(w.editor_a, url, {"organisation": w.water_a.pk}), REQUESTS
    )

    assert errors == []
    assert {code for code, _ in results} == {201}
    assert len({body["id"] for _, body in results}) == 1
    assert Consent.objects.filter(plan=plan).count() == 1


def test_concurrent_approvals_of_plans_sharing_forces_do_not_deadlock(incident_world):
    """RELIABILITY.md: rows locked in primary-key order — plans listing the same forces in
    different orders all get approved."""
    w = incident_world
    tier1 = f.force(w.admin_a, w.fire_a, name="临清市城区消防救援站")
    forces = [w.force_a, w.force_power_a, tier1]
    plans = [
        f.plan(
            w.dispatcher_a,
            w.incident_a,
            forces[i % 3 :] + forces[: i % 3] if i % 2 else list(reversed(forces)),
            submit=True,
        )
        for i in range(REQUESTS)
    ]
    approvers = _approvers(w, REQUESTS)

    results, errors = _run_concurrently(
        lambda i: _post(approvers[i], f"/api/v1/dispatch/plans/{plans[i].pk}/approve/"),
        REQUESTS,
    )

    assert errors == []
    assert [code for code, _ in results] == [200] * REQUESTS, results
    assert CallOutOrder.objects.count() == 3 * REQUESTS
    assert set(
        Force.objects.filter(pk__in=[x.pk for x in forces]).values_list("status", flat=True)
    ) == {ForceStatus.DEPLOYED}


def test_overdue_sweep_and_a_step_at_the_same_moment_neither_deadlock_nor_leave_a_stale_alert(
    incident_world, monkeypatch
):
    """Zhoushan §三.2 with RELIABILITY.md: the periodic overdue sweep runs while forces
    report. A force arriving at the moment the sweep looks at its order must neither make
    one of the two fail ("deadlock detected") nor leave an open "not arrived" alert on an
    order that has arrived."""
    w = incident_world
    plan = f.plan(w.dispatcher_a, w.incident_a, [w.force_a, w.force_power_a], submit=True)
    orders = {o.force_id: o for o in services.approve_plan(actor=w.approver_a, plan_id=plan.pk)}
    arriving, silent = orders[w.force_a.pk], orders[w.force_power_a.pk]
    services.acknowledge_order(actor=w.force_account_a, order_id=arriving.pk)
    services.depart_order(actor=w.force_account_a, order_id=arriving.pk)
    later = timezone.now() + timedelta(hours=2)  # both orders are past their deadlines

    step_holds_its_lock = threading.Event()
    real_record_event = order_services.record_event

    def slow_record_event(**kwargs):
        # The step has locked and saved its order; the sweep runs before it finishes.
        if threading.current_thread().name == "step":
            step_holds_its_lock.set()
            time.sleep(1.5)
        return real_record_event(**kwargs)

    monkeypatch.setattr(order_services, "record_event", slow_record_event)
    errors = []

    def step():
        try:
            services.arrive_order(actor=w.force_account_a, order_id=arriving.pk)
        except Exception as exc:  # asserted below
            errors.append(("step", exc))
        finally:
            connection.close()

    def sweep():
        try:
            step_holds_its_lock.wait(timeout=10)
            services.mark_overdue(now=later)
        except Exception as exc:  # asserted below
            errors.append(("sweep", exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=step, name="step"), threading.Thread(target=sweep)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert errors == []
    assert CallOutOrder.objects.get(pk=arriving.pk).status == OrderStatus.ARRIVED
    assert not DispatchAlert.objects.filter(
        order=arriving, kind=AlertKind.ARRIVAL_OVERDUE, resolved_at__isnull=True
    ).exists()
    assert DispatchAlert.objects.filter(order=silent, kind=AlertKind.ACK_OVERDUE).exists()
