"""Authorise before you check state: a service answers 404 for an object outside the
user's jurisdiction before it says anything about that object's state (409) or the
input (400). Otherwise an outsider learns which ids exist and what state they are in.

Once per service module: county A's objects are put in a state that would refuse the
call, each object-taking service is called by a user of county B and must say 404; the
same call by a county-A user shows the object really is in that state (the control).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from command import services as command
from core import services as core
from core.exceptions import (
    ConflictError,
    InvalidTransition,
    NotFoundError,
    PermissionDeniedError,
    ValidationFailed,
)
from dispatch import services as dispatch
from drills import services as drills
from duty.models import RollCallSchedule
from duty.rollcalls import services as rollcall
from duty.rosters import services as roster
from forces import services as forces
from forces.models import Personnel
from tests import factories as f
from tests.drills.helpers import conducted
from tests.duty import test_roster_fixtures as fx

pytestmark = pytest.mark.django_db
duty_world = fx.duty_world
two_shifts = fx.two_shifts

STATE = (InvalidTransition, ConflictError)


@dataclass(frozen=True)
class Case:
    outsider: Callable[[], object]
    insider: Callable[[], object] | None = None
    refused_insider: tuple[type[Exception], ...] = STATE


def check(case: Case) -> None:
    if case.insider is not None:
        with pytest.raises(case.refused_insider):
            case.insider()
    with pytest.raises(NotFoundError):
        case.outsider()


# --- dispatch ------------------------------------------------------------------------


@pytest.fixture
def decided(incident_world):
    """County A: a decided plan, its completed order, a decided reinforcement request
    and the incident closed."""
    w = incident_world
    w.plan = f.plan(w.dispatcher_a, w.incident_a, [w.force_a], submit=True)
    (w.order,) = dispatch.approve_plan(actor=w.approver_a, plan_id=w.plan.pk)
    for step in ("acknowledge", "depart", "arrive", "complete"):
        dispatch.advance_order(actor=w.force_account_a, order_id=w.order.pk, action=step)
    w.request = dispatch.request_reinforcement(
        actor=w.approver_a, incident_id=w.incident_a.pk, needs="冲锋舟2艘", reason="水位上涨"
    )
    dispatch.decide_reinforcement(
        actor=w.approver_city, request_id=w.request.pk, approve=False, reason="本级可处置"
    )
    command.close_incident(actor=w.duty_officer_a, incident_id=w.incident_a.pk)
    return w


ORDER_STEP_SERVICES = ["acknowledge_order", "depart_order", "arrive_order", "complete_order"]


def dispatch_cases(w) -> dict[str, Case]:
    line = [dispatch.LineInput(force_id=w.force_a.pk, people=5)]

    def consent(actor, org):
        return lambda: dispatch.record_consent(
            actor=actor, plan_id=w.plan.pk, organisation_id=org.pk
        )

    def step(actor, action, **kw):
        return lambda: dispatch.advance_order(actor=actor, order_id=w.order.pk, action=action, **kw)

    def stepper(name, actor):
        return lambda: getattr(dispatch, name)(actor=actor, order_id=w.order.pk)

    wrappers = {
        name: Case(stepper(name, w.force_account_b), stepper(name, w.force_account_a))
        for name in ORDER_STEP_SERVICES
    }
    return {
        **wrappers,
        "update_plan": Case(
            lambda: dispatch.update_plan(
                actor=w.dispatcher_b, plan_id=w.plan.pk, task="t", reason="r", lines=line
            ),
            lambda: dispatch.update_plan(
                actor=w.dispatcher_a, plan_id=w.plan.pk, task="t", reason="r", lines=line
            ),
        ),
        "submit_plan": Case(
            lambda: dispatch.submit_plan(actor=w.dispatcher_b, plan_id=w.plan.pk),
            lambda: dispatch.submit_plan(actor=w.dispatcher_a, plan_id=w.plan.pk),
        ),
        "approve_plan": Case(
            lambda: dispatch.approve_plan(actor=w.approver_b, plan_id=w.plan.pk),
            lambda: dispatch.approve_plan(actor=w.approver_a, plan_id=w.plan.pk),
        ),
        "reject_plan": Case(
            lambda: dispatch.reject_plan(actor=w.approver_b, plan_id=w.plan.pk, reason=""),
            lambda: dispatch.reject_plan(actor=w.approver_a, plan_id=w.plan.pk, reason=""),
        ),
        "record_consent by the approver": Case(
            consent(w.approver_b, w.water_a), consent(w.approver_a, w.water_a)
        ),
        "record_consent by a department": Case(
            consent(w.editor_b, w.water_b), consent(w.editor_a, w.water_a)
        ),
        "advance_order": Case(
            step(w.force_account_b, "acknowledge"), step(w.force_account_a, "acknowledge")
        ),
        "advance_order with an unknown step": Case(
            step(w.dispatcher_b, "launch"), step(w.dispatcher_a, "launch"), (ValidationFailed,)
        ),
        "report_order_result": Case(
            lambda: dispatch.report_order_result(
                actor=w.force_account_b, order_id=w.order.pk, result=""
            ),
            lambda: dispatch.report_order_result(
                actor=w.force_account_a, order_id=w.order.pk, result=""
            ),
            (ValidationFailed,),
        ),
        "draft_plan": Case(
            lambda: dispatch.draft_plan(
                actor=w.dispatcher_b, incident_id=w.incident_a.pk, task="t", reason="r", lines=line
            ),
            lambda: dispatch.draft_plan(
                actor=w.dispatcher_a, incident_id=w.incident_a.pk, task="t", reason="r", lines=line
            ),
        ),
        "request_reinforcement": Case(
            lambda: dispatch.request_reinforcement(
                actor=w.approver_b, incident_id=w.incident_a.pk, needs="n", reason="r"
            ),
            lambda: dispatch.request_reinforcement(
                actor=w.approver_a, incident_id=w.incident_a.pk, needs="n", reason="r"
            ),
        ),
        "decide_reinforcement": Case(
            lambda: dispatch.decide_reinforcement(
                actor=w.approver_b, request_id=w.request.pk, approve=True
            ),
            lambda: dispatch.decide_reinforcement(
                actor=w.approver_city, request_id=w.request.pk, approve=True
            ),
        ),
    }


@pytest.mark.parametrize(
    "name",
    DISPATCH_CASES := [
        "update_plan",
        "submit_plan",
        "approve_plan",
        "reject_plan",
        "record_consent by the approver",
        "record_consent by a department",
        "advance_order",
        "advance_order with an unknown step",
        "report_order_result",
        "draft_plan",
        "request_reinforcement",
        "decide_reinforcement",
        *ORDER_STEP_SERVICES,
    ],
)
def test_dispatch_says_404_to_another_county_before_state_or_input(decided, name):
    check(dispatch_cases(decided)[name])


def test_consent_on_a_decided_plan_of_another_county_is_404_through_the_api(decided, api):
    url = f"/api/v1/dispatch/plans/{decided.plan.pk}/consent/"
    body = {
        "organisation": decided.water_a.pk,
        "consulted_person": "李科长",
        "consulted_at": timezone.now().isoformat(),
    }
    for outsider in (decided.dispatcher_b, decided.approver_b, decided.editor_b):
        response = api(outsider).post(url, body, format="json")
        assert response.status_code == 404, (outsider, response.json())
    assert api(decided.approver_a).post(url, body, format="json").status_code == 409


def test_stepping_a_completed_order_of_another_county_is_404_through_the_api(decided, api):
    url = f"/api/v1/dispatch/orders/{decided.order.pk}/acknowledge/"
    assert api(decided.force_account_b).post(url).status_code == 404
    assert api(decided.dispatcher_b).post(url).status_code == 404
    assert api(decided.force_account_a).post(url).status_code == 409


# --- command -------------------------------------------------------------------------


@pytest.fixture
def closed_incident(incident_world):
    w = incident_world
    command.close_incident(actor=w.duty_officer_a, incident_id=w.incident_a.pk)
    return w


COMMAND_CASES = [
    "update_incident",
    "close_incident",
    "reassess_incident",
    "transfer_to_hotline",
    "record_hotline_reply",
    "hand_over",
    "hand_to_maritime",
    "add_note",
]


def _command_extra(w, service: str) -> dict:
    return {
        "update_incident": {"data": {"title": "改名"}},
        "reassess_incident": {"level": "iii", "reason": "险情扩大"},
        "transfer_to_hotline": {"summary": "非紧急求助，转12345"},
        "record_hotline_reply": {"reply": "已办结"},
        "hand_over": {"to_unit_id": w.water_a.pk},
        "hand_to_maritime": {"note": "水上险情"},
        "add_note": {"text": "现场已处置完毕"},
    }.get(service, {})


@pytest.mark.parametrize("service", COMMAND_CASES)
def test_command_says_404_to_another_county_before_state(closed_incident, service):
    w = closed_incident
    extra = _command_extra(w, service)
    call = getattr(command, service)
    check(
        Case(
            lambda: call(actor=w.duty_officer_b, incident_id=w.incident_a.pk, **extra),
            lambda: call(actor=w.duty_officer_a, incident_id=w.incident_a.pk, **extra),
        )
    )


def test_closing_a_closed_incident_of_another_county_is_404_through_the_api(closed_incident, api):
    url = f"/api/v1/command/incidents/{closed_incident.incident_a.pk}/close/"
    assert api(closed_incident.duty_officer_b).post(url).status_code == 404
    assert api(closed_incident.duty_officer_a).post(url).status_code == 409


# --- forces: no states, so the refused input is what must not show -------------------


@pytest.fixture
def registry(world):
    w = world
    w.person = forces.add_force_item(
        actor=w.editor_a, force_id=w.force_a.pk, kind="personnel", data={"name": "李四"}
    )
    w.expert_a = forces.create_expert(
        actor=w.editor_a,
        organisation=w.water_a,
        data={"name": "王专家", "field": "水利", "phone": "13912345678"},
    )
    w.expert_b = forces.create_expert(
        actor=w.editor_b,
        organisation=w.water_b,
        data={"name": "赵专家", "field": "水利", "phone": "13912345679"},
    )
    return w


def forces_cases(w) -> dict[str, Case]:
    bad_phone = {"phone": "123"}

    def both(make):
        return Case(make(w.editor_b), make(w.editor_a), (ValidationFailed,))

    return {
        "update_force": both(
            lambda a: (
                lambda: forces.update_force(
                    actor=a, force_id=w.force_a.pk, data={"leader_phone": "123"}
                )
            )
        ),
        "add_force_item": both(
            lambda a: (
                lambda: forces.add_force_item(
                    actor=a, force_id=w.force_a.pk, kind="personnel", data={"name": "", **bad_phone}
                )
            )
        ),
        "update_force_item": both(
            lambda a: (
                lambda: forces.update_force_item(
                    actor=a, kind="personnel", item_id=w.person.pk, data=bad_phone
                )
            )
        ),
        "remove_force_item": Case(
            lambda: forces.remove_force_item(
                actor=w.editor_b, kind="personnel", item_id=w.person.pk
            )
        ),
        "update_expert": both(
            lambda a: lambda: forces.update_expert(actor=a, expert_id=w.expert_a.pk, data=bad_phone)
        ),
        "create_force": both(
            lambda a: (
                lambda: forces.create_force(
                    actor=a, organisation=w.water_a, data={"name": "", "duty_phone": "x"}
                )
            )
        ),
        "create_expert": both(
            lambda a: (
                lambda: forces.create_expert(
                    actor=a, organisation=w.water_a, data={"name": "x", "field": "y", **bad_phone}
                )
            )
        ),
        "create_expert_group": both(
            lambda a: (
                lambda: forces.create_expert_group(
                    actor=a,
                    organisation=w.water_a,
                    name="防汛专家组",
                    disaster_type="flood",
                    members=[w.expert_b if a == w.editor_a else w.expert_a],
                )
            )
        ),
    }


@pytest.mark.parametrize(
    "name",
    FORCES_CASES := [
        "update_force",
        "add_force_item",
        "update_force_item",
        "remove_force_item",
        "update_expert",
        "create_force",
        "create_expert",
        "create_expert_group",
    ],
)
def test_forces_say_404_to_another_county_before_judging_input(registry, name):
    check(forces_cases(registry)[name])
    assert Personnel.objects.filter(pk=registry.person.pk).exists()


# --- duty: rosters, log, hand-over, spot checks ---------------------------------------


@pytest.fixture
def duty_done(two_shifts):
    """County A: a closed log item, a handed-over shift and a closed spot check."""
    w = two_shifts
    w.entry = roster.record_log_entry(
        actor=w.duty_officer_a, shift_id=w.shift1.pk, data={"content": "水位", "is_open": True}
    )
    roster.close_log_entry(actor=w.duty_officer_a, entry_id=w.entry.pk, note="已处理")
    roster.hand_over(
        actor=w.duty_officer_a,
        from_shift_id=w.shift1.pk,
        to_shift_id=w.shift2.pk,
        from_officer_id=w.out_officer.pk,
        to_officer_id=w.in_officer.pk,
    )
    w.check = roster.record_spot_check(
        actor=w.duty_officer_a,
        organisation_id=w.water_a.pk,
        data={
            "duty_passed": False,
            "findings": "值班电话无人接听",
            "satisfaction_score": 80,
            "rectification_deadline": timezone.localdate() + timedelta(days=30),
        },
    )
    roster.close_spot_check(actor=w.duty_officer_a, spot_check_id=w.check.pk, note="已整改")
    return w


def roster_cases(w) -> dict[str, Case]:
    def both(make, refused=(ValidationFailed,)):
        return Case(make(w.duty_officer_b), make(w.duty_officer_a), refused)

    start = timezone.now() + timedelta(days=3)
    return {
        "create_roster": both(
            lambda a: lambda: roster.create_roster(actor=a, organisation=w.bureau_a, name="")
        ),
        "update_roster": both(
            lambda a: lambda: roster.update_roster(actor=a, roster_id=w.joint.pk, data={"name": ""})
        ),
        "regenerate_feed_token": Case(
            lambda: roster.regenerate_feed_token(actor=w.duty_officer_b, roster_id=w.joint.pk)
        ),
        "create_shift": both(
            lambda a: (
                lambda: roster.create_shift(
                    actor=a,
                    roster_id=w.joint.pk,
                    data={"starts_at": start, "ends_at": start - timedelta(hours=1)},
                )
            )
        ),
        "update_shift": both(
            lambda a: (
                lambda: roster.update_shift(
                    actor=a, shift_id=w.shift1.pk, data={"leader_phone": "123"}
                )
            )
        ),
        "record_log_entry": both(
            lambda a: (
                lambda: roster.record_log_entry(
                    actor=a, shift_id=w.shift1.pk, data={"content": "x", "officer_id": -1}
                )
            )
        ),
        "close_log_entry": both(
            lambda a: lambda: roster.close_log_entry(actor=a, entry_id=w.entry.pk), STATE
        ),
        "hand_over": both(
            lambda a: (
                lambda: roster.hand_over(
                    actor=a,
                    from_shift_id=w.shift1.pk,
                    to_shift_id=w.shift2.pk,
                    from_officer_id=w.out_officer.pk,
                    to_officer_id=w.in_officer.pk,
                )
            ),
            STATE,
        ),
        "record_spot_check": both(
            lambda a: (
                lambda: roster.record_spot_check(
                    actor=a,
                    organisation_id=w.water_a.pk,
                    data={"checked_on": timezone.localdate() + timedelta(days=1)},
                )
            )
        ),
        "close_spot_check": both(
            lambda a: (
                lambda: roster.close_spot_check(actor=a, spot_check_id=w.check.pk, note="再次整改")
            ),
            STATE,
        ),
    }


@pytest.mark.parametrize(
    "name",
    ROSTER_CASES := [
        "create_roster",
        "update_roster",
        "regenerate_feed_token",
        "create_shift",
        "update_shift",
        "record_log_entry",
        "close_log_entry",
        "hand_over",
        "record_spot_check",
        "close_spot_check",
    ],
)
def test_duty_rosters_say_404_to_another_county_before_state_or_input(duty_done, name):
    check(roster_cases(duty_done)[name])


def test_closing_a_closed_spot_check_of_another_county_is_404_through_the_api(duty_done, api):
    url = f"/api/v1/duty/spot-checks/{duty_done.check.pk}/close/"
    assert api(duty_done.duty_officer_b).post(url, {"note": "x"}).status_code == 404
    assert api(duty_done.duty_officer_a).post(url, {"note": "x"}).status_code == 409


# --- duty: roll calls -----------------------------------------------------------------


@pytest.fixture
def closed_roll_call(world):
    w = world
    w.roll_call = rollcall.start_roll_call(actor=w.dispatcher_a, jurisdiction=w.county_a)
    rollcall.close_roll_call(actor=w.dispatcher_a, roll_call_id=w.roll_call.pk)
    w.target = w.roll_call.targets.get(force=w.force_a)
    w.schedule = rollcall.save_schedule(
        actor=w.dispatcher_a, schedule=RollCallSchedule(name="月度点名", jurisdiction=w.county_a)
    )
    return w


def rollcall_cases(w) -> dict[str, Case]:
    def bad_schedule():
        schedule = RollCallSchedule.objects.get(pk=w.schedule.pk)
        schedule.day_of_month = 99
        return schedule

    return {
        "close_roll_call": Case(
            lambda: rollcall.close_roll_call(actor=w.dispatcher_b, roll_call_id=w.roll_call.pk),
            lambda: rollcall.close_roll_call(actor=w.dispatcher_a, roll_call_id=w.roll_call.pk),
        ),
        "answer_roll_call": Case(
            lambda: rollcall.answer_roll_call(actor=w.force_account_b, target_id=w.target.pk),
            lambda: rollcall.answer_roll_call(actor=w.force_account_a, target_id=w.target.pk),
        ),
        "save_schedule": Case(
            lambda: rollcall.save_schedule(actor=w.dispatcher_b, schedule=bad_schedule()),
            lambda: rollcall.save_schedule(actor=w.dispatcher_a, schedule=bad_schedule()),
            (ValidationError, ValidationFailed),
        ),
    }


@pytest.mark.parametrize(
    "name", ROLLCALL_CASES := ["close_roll_call", "answer_roll_call", "save_schedule"]
)
def test_roll_calls_say_404_to_another_county_before_state_or_input(closed_roll_call, name):
    check(rollcall_cases(closed_roll_call)[name])


def test_a_closed_roll_call_of_another_county_is_404_through_the_api(closed_roll_call, api):
    w = closed_roll_call
    close = f"/api/v1/duty/roll-calls/{w.roll_call.pk}/close/"
    assert api(w.dispatcher_b).post(close).status_code == 404
    assert api(w.dispatcher_a).post(close).status_code == 409
    answer = f"/api/v1/duty/roll-call-targets/{w.target.pk}/answer/"
    assert api(w.force_account_b).post(answer, {}, format="json").status_code == 404


# --- drills ---------------------------------------------------------------------------


@pytest.fixture
def evaluated(world, settings, tmp_path):
    """County A: an evaluated drill whose follow-up action is closed."""
    settings.MEDIA_ROOT = tmp_path / "media"
    w = world
    day = date(2026, 5, 20)
    w.drill = conducted(w.admin_a, w.bureau_a, day)
    drills.evaluate_drill(
        actor=w.admin_a,
        drill_id=w.drill.pk,
        score=80,
        problems=[
            drills.ProblemInput(problem="通信中断", owner=w.water_a, deadline=day + timedelta(30))
        ],
    )
    w.action = w.drill.actions.get()
    drills.close_follow_up_action(actor=w.admin_a, action_id=w.action.pk, note="已配备卫星电话")
    return w


def drills_cases(w) -> dict[str, Case]:
    def both(make, refused=STATE):
        return Case(make(w.duty_officer_b), make(w.admin_a), refused)

    empty = SimpleUploadedFile("空.pdf", b"", content_type="application/pdf")
    return {
        "create_contingency_plan": both(
            lambda a: (
                lambda: drills.create_contingency_plan(
                    actor=a, organisation=w.bureau_a, name="专项预案", kind="special"
                )
            ),
            (ValidationFailed,),
        ),
        "create_annual_plan": Case(
            lambda: drills.create_annual_plan(
                actor=w.duty_officer_b, organisation=w.bureau_a, year=2026
            )
        ),
        "create_drill": both(
            lambda a: lambda: drills.create_drill(actor=a, organiser=w.bureau_a, data={}),
            (ValidationFailed,),
        ),
        "update_drill": both(
            lambda a: lambda: drills.update_drill(actor=a, drill_id=w.drill.pk, data={})
        ),
        "conduct_drill": both(
            lambda a: (
                lambda: drills.conduct_drill(
                    actor=a, drill_id=w.drill.pk, conducted_on=date(2026, 5, 21)
                )
            )
        ),
        "evaluate_drill": both(
            lambda a: lambda: drills.evaluate_drill(actor=a, drill_id=w.drill.pk, score=90)
        ),
        "close_follow_up_action": both(
            lambda a: (
                lambda: drills.close_follow_up_action(
                    actor=a, action_id=w.action.pk, note="再关一次"
                )
            )
        ),
        "add_drill_attachment": both(
            lambda a: (
                lambda: drills.add_drill_attachment(actor=a, drill_id=w.drill.pk, upload=empty)
            ),
            (ValidationFailed,),
        ),
    }


@pytest.mark.parametrize(
    "name",
    DRILLS_CASES := [
        "create_contingency_plan",
        "create_annual_plan",
        "create_drill",
        "update_drill",
        "conduct_drill",
        "evaluate_drill",
        "close_follow_up_action",
        "add_drill_attachment",
    ],
)
def test_drills_say_404_to_another_county_before_state_or_input(evaluated, name):
    check(drills_cases(evaluated)[name])


def test_evaluating_an_evaluated_drill_of_another_county_is_404_through_the_api(evaluated, api):
    url = f"/api/v1/drills/drills/{evaluated.drill.pk}/evaluate/"
    body = {"score": 90, "problems": []}
    assert api(evaluated.duty_officer_b).post(url, body, format="json").status_code == 404
    assert api(evaluated.admin_a).post(url, body, format="json").status_code == 409


# --- core -----------------------------------------------------------------------------


def test_revealing_a_phone_of_another_county_is_404_before_the_role_is_judged(world):
    check(
        Case(
            lambda: core.reveal_phone(
                actor=world.dispatcher_b,
                model_label="forces.force",
                pk=world.force_a.pk,
                field="leader_phone",
            ),
            lambda: core.reveal_phone(
                actor=world.editor_power_a,
                model_label="forces.force",
                pk=world.force_a.pk,
                field="leader_phone",
            ),
            (PermissionDeniedError,),
        )
    )


# --- every object-taking service has a case -------------------------------------------

OBJECT_PARAMETERS = {"organisation", "organiser", "schedule"}
# Services whose object is not secret or not yet stored: a jurisdiction (start_roll_call
# refuses with 403, and jurisdictions are listed to everyone), a new intensification.
NOT_OBJECT_SERVICES = {"start_roll_call", "save_intensification"}


def _object_services(module) -> set[str]:
    import inspect

    names = set()
    for name, fn in vars(module).items():
        if name.startswith("_") or not inspect.isfunction(fn):
            continue
        if fn.__module__ != module.__name__ or name in NOT_OBJECT_SERVICES:
            continue
        params = set(inspect.signature(fn).parameters)
        if "actor" in params and (
            params & OBJECT_PARAMETERS or any(p.endswith("_id") for p in params)
        ):
            names.add(name)
    return names


@pytest.mark.parametrize(
    "module,cases",
    [
        (dispatch, DISPATCH_CASES),
        (command, COMMAND_CASES),
        (forces, FORCES_CASES),
        (roster, ROSTER_CASES),
        (rollcall, ROLLCALL_CASES),
        (drills, DRILLS_CASES),
    ],
    ids=lambda v: getattr(v, "__name__", ""),
)
def test_every_service_that_takes_an_object_is_played_here(module, cases):
    assert _object_services(module) <= {case.split(" ")[0] for case in cases}
