"""Rescuer welfare services: who records what, the registry summary kept current, the
评残/评烈 procedure submitted → reviewed → decided, and the bureau told."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from core.exceptions import (
    ConflictError,
    InvalidTransition,
    NotFoundError,
    PermissionDeniedError,
    ValidationFailed,
)
from core.models import Event
from notify.models import Notification
from support.choices import CasualtyStatus
from support.events import WelfareEvent
from support.models import HealthRecord
from support.welfare import services
from tests.support.welfare_fixtures import *  # noqa: F403 (the fixtures)

EXAM = {"kind": "medical_exam", "institution": "临清市人民医院", "conclusion": "合格"}


def _exam(user, person, day, **extra):
    return services.record_health(
        actor=user, personnel_id=person.pk, data={**EXAM, "examined_on": day, **extra}
    )


def _policy(user, person, number, starts, expires):
    return services.record_insurance(
        actor=user,
        personnel_id=person.pk,
        data={
            "insurer": "中国人寿临清支公司",
            "policy_number": number,
            "sum_insured": "500000",
            "starts_on": starts,
            "expires_on": expires,
        },
    )


def test_the_newest_examination_becomes_the_registrys_last_exam_date(rescuers):
    w = rescuers
    _exam(w.editor_a, w.rescuer_a, date(2025, 6, 1))
    _exam(w.editor_a, w.rescuer_a, date(2024, 6, 1))  # an old record entered late
    w.rescuer_a.refresh_from_db()
    assert w.rescuer_a.medical_exam_date == date(2025, 6, 1)
    _exam(w.duty_officer_a, w.rescuer_a, date(2026, 5, 20))
    w.rescuer_a.refresh_from_db()
    assert w.rescuer_a.medical_exam_date == date(2026, 5, 20)
    assert Event.objects.filter(type=WelfareEvent.HEALTH_RECORDED).count() == 3


def test_a_psychological_assessment_is_not_the_periodic_examination(rescuers):
    w = rescuers
    _exam(w.editor_a, w.rescuer_a, date(2026, 1, 5), kind="psychological")
    w.rescuer_a.refresh_from_db()
    assert w.rescuer_a.medical_exam_date is None


def test_an_examination_in_the_future_or_due_before_it_is_refused(rescuers):
    w = rescuers
    with pytest.raises(ValidationFailed) as exc:
        _exam(w.editor_a, w.rescuer_a, timezone.localdate() + timedelta(days=2))
    assert "examined_on" in exc.value.errors
    with pytest.raises(ValidationFailed) as exc:
        _exam(w.editor_a, w.rescuer_a, date(2026, 1, 5), next_due=date(2025, 1, 5))
    assert "next_due" in exc.value.errors
    assert not HealthRecord.objects.exists()


def test_the_latest_policy_expiry_becomes_the_registrys_insurance_expiry(rescuers):
    w = rescuers
    _policy(w.editor_a, w.rescuer_a, "P-2026-001", date(2026, 1, 1), date(2027, 1, 1))
    _policy(w.editor_a, w.rescuer_a, "P-2025-001", date(2025, 1, 1), date(2026, 1, 1))
    w.rescuer_a.refresh_from_db()
    assert w.rescuer_a.insurance_expiry == date(2027, 1, 1)
    with pytest.raises(ConflictError):
        _policy(w.editor_a, w.rescuer_a, "P-2026-001", date(2026, 1, 1), date(2027, 1, 1))
    with pytest.raises(ValidationFailed) as exc:
        _policy(w.editor_a, w.rescuer_a, "P-X", date(2026, 1, 1), date(2025, 1, 1))
    assert "expires_on" in exc.value.errors


@pytest.mark.parametrize(
    ("who", "outcome"),
    [
        ("editor_a", "ok"),  # the force's own organisation
        ("duty_officer_a", "ok"),  # the bureau of the force's jurisdiction
        ("approver_city", "ok"),  # the bureau above
        ("admin_a", "ok"),
        ("editor_power_a", "missing"),  # another organisation of the county
        ("dispatcher_a", "denied"),  # reads, does not write
        ("force_account_a", "missing"),
        ("screen_a", "missing"),
        ("editor_b", "missing"),  # county B
        ("duty_officer_b", "missing"),
    ],
)
def test_who_records_a_rescuers_welfare(rescuers, who, outcome):
    w = rescuers
    user = getattr(w, who)
    if outcome == "ok":
        _exam(user, w.rescuer_a, date(2026, 3, 1))
        return
    expected = PermissionDeniedError if outcome == "denied" else NotFoundError
    with pytest.raises(expected):
        _exam(user, w.rescuer_a, date(2026, 3, 1))
    with pytest.raises(expected):
        _policy(user, w.rescuer_a, "P-1", date(2026, 1, 1), date(2027, 1, 1))
    assert not HealthRecord.objects.exists()


def test_a_commendation_names_a_rescuer_or_a_force_never_both(incident_world, rescuers):
    w = incident_world
    base = {
        "level": "commendation",
        "title": "防汛抢险嘉奖",
        "reason": "卫运河漫堤抢险中连续奋战36小时",
        "awarded_by": "临清市人民政府",
        "awarded_on": date(2026, 8, 1),
        "incident": w.incident_a.pk,
    }
    person = services.record_commendation(
        actor=w.approver_a, data={**base, "personnel": w.rescuer_a}
    )
    assert person.jurisdiction == w.county_a and person.force is None
    force = services.record_commendation(actor=w.editor_a, data={**base, "force": w.force_a.pk})
    assert force.personnel is None and force.incident == w.incident_a
    with pytest.raises(ValidationFailed):
        services.record_commendation(
            actor=w.approver_a, data={**base, "personnel": w.rescuer_a, "force": w.force_a}
        )
    with pytest.raises(ValidationFailed):
        services.record_commendation(actor=w.approver_a, data=base)
    with pytest.raises(NotFoundError):
        services.record_commendation(actor=w.approver_b, data={**base, "force": w.force_a.pk})
    assert Event.objects.filter(type=WelfareEvent.COMMENDED).count() == 2


def _submit(user, person, **extra):
    data = {
        "kind": "injured",
        "procedure": "disability",
        "occurred_at": timezone.now() - timedelta(days=3),
        "circumstances": "加固堤防时被滚落石块砸伤左腿",
        **extra,
    }
    return services.submit_casualty(actor=user, personnel_id=person.pk, data=data)


def test_a_casualty_goes_submitted_reviewed_decided_and_the_bureau_is_told(
    rescuers, django_capture_on_commit_callbacks
):
    w = rescuers
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        case = _submit(w.editor_a, w.rescuer_a)
    assert case.status == CasualtyStatus.SUBMITTED
    told = Notification.objects.get(purpose="casualty")
    assert told.jurisdiction == w.county_a
    recipients = {d.recipient_label for d in told.deliveries.all()}
    assert str(w.duty_officer_a) in recipients and str(w.duty_officer_b) not in recipients
    assert all(cb is not None for cb in callbacks)

    with pytest.raises(InvalidTransition):
        services.decide_casualty(
            actor=w.approver_a,
            case_id=case.pk,
            decision="伤残七级",
            authority="临清市人力资源和社会保障局",
            reference="临人社伤〔2026〕12号",
        )
    # The force's supervising department (临清市水利局 is its industry authority) reviews.
    case = services.review_casualty(
        actor=w.editor_a, case_id=case.pk, opinion="情况属实，同意申报评残"
    )
    assert case.status == CasualtyStatus.REVIEWED and case.reviewed_by == w.editor_a
    with pytest.raises(InvalidTransition):
        services.review_casualty(actor=w.duty_officer_a, case_id=case.pk, opinion="再审")
    with pytest.raises(ValidationFailed) as exc:
        services.decide_casualty(
            actor=w.approver_a, case_id=case.pk, decision="伤残七级", authority="临清市人社局"
        )
    assert "reference" in exc.value.errors
    case = services.decide_casualty(
        actor=w.approver_a,
        case_id=case.pk,
        decision="伤残七级",
        authority="临清市人力资源和社会保障局",
        reference="临人社伤〔2026〕12号",
    )
    assert case.status == CasualtyStatus.DECIDED and case.decided_by == w.approver_a
    types = list(
        Event.objects.filter(subject_id=str(case.pk), type__startswith="welfare.casualty")
        .order_by("seq")
        .values_list("type", flat=True)
    )
    assert types == [
        WelfareEvent.CASUALTY_SUBMITTED,
        WelfareEvent.CASUALTY_REVIEWED,
        WelfareEvent.CASUALTY_DECIDED,
    ]


@pytest.mark.parametrize(
    ("who", "review", "decide"),
    [
        ("editor_a", "ok", PermissionDeniedError),  # supervising department: reviews only
        ("duty_officer_a", "ok", "ok"),
        ("approver_city", "ok", "ok"),
        ("editor_power_a", NotFoundError, NotFoundError),
        ("dispatcher_a", PermissionDeniedError, PermissionDeniedError),
        ("approver_b", NotFoundError, NotFoundError),
        ("screen_a", NotFoundError, NotFoundError),
    ],
)
def test_who_reviews_and_who_decides_a_casualty_case(rescuers, who, review, decide):
    w = rescuers
    user = getattr(w, who)
    case = _submit(w.editor_a, w.rescuer_a)
    if review == "ok":
        services.review_casualty(actor=user, case_id=case.pk, opinion="同意")
    else:
        with pytest.raises(review):
            services.review_casualty(actor=user, case_id=case.pk, opinion="同意")
        services.review_casualty(actor=w.duty_officer_a, case_id=case.pk, opinion="同意")
    kwargs = {"decision": "伤残九级", "authority": "临清市人社局", "reference": "临人社〔2026〕3号"}
    if decide == "ok":
        assert services.decide_casualty(actor=user, case_id=case.pk, **kwargs).status == "decided"
    else:
        with pytest.raises(decide):
            services.decide_casualty(actor=user, case_id=case.pk, **kwargs)


def test_an_assessment_must_fit_the_kind_of_casualty(rescuers):
    w = rescuers
    with pytest.raises(ValidationFailed) as exc:
        _submit(w.editor_a, w.rescuer_a, kind="killed", procedure="disability")
    assert "procedure" in exc.value.errors
    with pytest.raises(ValidationFailed):
        _submit(w.editor_a, w.rescuer_a, occurred_at=timezone.now() + timedelta(hours=2))
    case = _submit(w.duty_officer_a, w.rescuer_a, kind="killed", procedure="martyr")
    assert case.procedure == "martyr"


def test_side_effects_run_on_commit_robustly():
    import ast
    import inspect

    tree = ast.parse(inspect.getsource(services))
    calls = [
        n
        for n in ast.walk(tree)
        if isinstance(n, ast.Call) and getattr(n.func, "attr", "") == "on_commit"
    ]
    assert calls
    assert all(any(k.arg == "robust" and k.value.value is True for k in c.keywords) for c in calls)
