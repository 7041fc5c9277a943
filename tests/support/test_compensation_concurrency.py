"""Two approvers recording the government's approval of one claim at the same moment:
the claim is approved once (one event, one amount), the other is told it is approved
already; two hand-overs of one requisition at once record one (row locks: PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from django.db import close_old_connections, connection

from core.events import Event
from core.exceptions import InvalidTransition
from support.choices import CompensationStatus, RequisitionStatus
from support.compensation import services
from support.events import CompensationEvent, RequisitionEvent
from support.models import CompensationClaim, Requisition
from support.requisition import services as requisition_services
from tests.support.requisition_fixtures import (  # noqa: F401
    make_requisition,
    requisition_world_fixture,
    reviewed_claim,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _at_once(calls):
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)
    errors: list = []

    def worker(i):
        try:
            barrier.wait(timeout=10)
            results[i] = calls[i]()
        except Exception as exc:  # asserted on below
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results, errors


def test_a_double_approval_approves_once(requisition_world):
    w = requisition_world
    claim = reviewed_claim(w)

    def approve(actor, amount):
        return lambda: services.approve_claim(
            actor=actor, claim_id=claim.pk, amount=amount, approval_reference="临政字〔2026〕88号"
        )

    results, errors = _at_once([approve(w.approver_a, "15000"), approve(w.approver_city, "12000")])
    assert len(errors) == 1 and isinstance(errors[0], InvalidTransition), errors
    winner = next(r for r in results if r is not None)
    claim = CompensationClaim.objects.get(pk=claim.pk)
    assert claim.status == CompensationStatus.APPROVED
    assert claim.approved_amount == winner.approved_amount
    assert Event.objects.filter(type=CompensationEvent.APPROVED).count() == 1
    assert claim.history.filter(status=CompensationStatus.APPROVED).count() == 1


def test_two_hand_overs_at_once_record_one(requisition_world):
    w = requisition_world
    req = make_requisition(w)

    def hand_over(actor):
        return lambda: requisition_services.record_handover(
            actor=actor, requisition_id=req.pk, condition="完好"
        )

    _results, errors = _at_once([hand_over(w.duty_officer_a), hand_over(w.editor_builder_a)])
    assert len(errors) == 1 and isinstance(errors[0], InvalidTransition), errors
    assert Requisition.objects.get(pk=req.pk).status == RequisitionStatus.HANDED_OVER
    assert Event.objects.filter(type=RequisitionEvent.HANDED_OVER).count() == 1
