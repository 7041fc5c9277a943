"""Drill services: transitions, refusals, who may write, history and events."""

from datetime import date

import pytest
from django.utils.translation import gettext

from core.exceptions import (
    InvalidTransition,
    NotFoundError,
    PermissionDeniedError,
    ValidationFailed,
)
from core.models import Event
from drills import services
from drills.models import AnnualDrillPlan, Drill, FollowUpAction
from tests.drills.helpers import conducted, plan_drill

pytestmark = pytest.mark.django_db


def problem(owner, **extra):
    data = {"problem": "群众转移信息传递滞后", "owner": owner, "deadline": date(2026, 7, 1)}
    data.update(extra)
    return services.ProblemInput(**data)


# --- planning ----------------------------------------------------------------------------


def test_bureau_duty_officer_plans_drill_with_event_and_history(dw):
    """Rongcheng §四.二.4: the bureau organises drills with the departments."""
    drill = plan_drill(
        dw.duty_officer_a,
        dw.bureau_a,
        forces=[dw.force_a],
        organisations=[dw.water_a, dw.fire_a],
        contingency_plan=dw.flood_plan_a,
    )
    assert drill.status == "planned"
    assert set(drill.participating_organisations.all()) == {dw.water_a, dw.fire_a}
    assert list(drill.participating_forces.all()) == [dw.force_a]
    assert drill.history.latest().history_user == dw.duty_officer_a
    event = Event.objects.get(type="drill.planned")
    assert event.jurisdiction == dw.county_a
    assert event.payload["drill_id"] == drill.pk


def test_two_departments_make_a_drill_multi_department(dw):
    """Rongcheng §四.二.4: "多部门联合参加" — bureau plus one department is two."""
    joint = plan_drill(dw.admin_a, dw.bureau_a, organisations=[dw.water_a])
    alone = plan_drill(dw.admin_a, dw.bureau_a, organisations=[dw.power_a])
    declared = plan_drill(dw.admin_a, dw.bureau_a, multi_department_declared=True)
    assert joint.is_multi_department
    assert not alone.is_multi_department  # an enterprise is not a department
    assert declared.is_multi_department


def test_enterprise_editor_plans_own_drill_but_not_anothers(dw):
    """Linqing §四.(二): enterprises organise their own drills."""
    drill = plan_drill(dw.editor_power_a, dw.power_a, drill_type="special")
    assert drill.organiser == dw.power_a
    with pytest.raises(PermissionDeniedError):
        plan_drill(dw.editor_power_a, dw.water_a)


def test_expert_reads_but_may_not_plan(dw):
    """Rongcheng §四.二.4: drills are organised by the bureau and the units; experts advise."""
    with pytest.raises(PermissionDeniedError):
        plan_drill(dw.expert_a, dw.bureau_a)


def test_other_county_organiser_is_not_found(dw):
    """SPEC §1: a user sees their jurisdiction and below; the rest does not exist."""
    with pytest.raises(NotFoundError):
        plan_drill(dw.duty_officer_b, dw.bureau_a)


def test_city_bureau_may_plan_for_county_organiser(dw):
    """SPEC §1 "upper level": the bureau of an ancestor jurisdiction writes too."""
    drill = plan_drill(dw.approver_city, dw.water_a)
    assert drill.organiser == dw.water_a


def test_participants_outside_jurisdiction_are_refused(dw):
    """SPEC §1: a county picks forces of its own jurisdiction."""
    with pytest.raises(ValidationFailed) as exc:
        plan_drill(dw.admin_a, dw.bureau_a, forces=[dw.force_b])
    assert "participating_forces" in exc.value.errors
    assert not Drill.objects.exists()


def test_drill_joins_the_organisers_annual_plan_of_its_year(dw):
    """Linqing §四.(二): "各级政府制定年度应急演练计划" — drills are planned in it."""
    plan = services.create_annual_plan(actor=dw.admin_a, organisation=dw.bureau_a, year=2026)
    drill = plan_drill(dw.admin_a, dw.bureau_a, planned_date=date(2026, 9, 1))
    other_year = plan_drill(dw.admin_a, dw.bureau_a, planned_date=date(2027, 1, 5))
    assert drill.annual_plan == plan
    assert other_year.annual_plan is None
    with pytest.raises(ValidationFailed) as exc:
        plan_drill(dw.admin_a, dw.bureau_a, planned_date=date(2027, 3, 1), annual_plan=plan)
    assert "annual_plan" in exc.value.errors


def test_one_annual_plan_per_organisation_and_year(dw):
    """Linqing §四.(二): one annual drill plan a year."""
    services.create_annual_plan(actor=dw.admin_a, organisation=dw.bureau_a, year=2026)
    with pytest.raises(ValidationFailed) as exc:
        services.create_annual_plan(actor=dw.duty_officer_a, organisation=dw.bureau_a, year=2026)
    assert "year" in exc.value.errors
    assert AnnualDrillPlan.objects.count() == 1
    assert AnnualDrillPlan.objects.get().history.latest().history_user == dw.admin_a


def test_contingency_plan_of_an_outsider_cannot_be_exercised(dw):
    """Linqing §四.(二): a drill exercises its organiser's (or a participant's) plan."""
    with pytest.raises(ValidationFailed) as exc:
        plan_drill(dw.editor_power_a, dw.power_a, contingency_plan=dw.flood_plan_a)
    assert "contingency_plan" in exc.value.errors


def test_special_contingency_plan_needs_a_hazard(dw):
    """Linqing §四.(二): a special plan covers one hazard."""
    with pytest.raises(ValidationFailed):
        services.create_contingency_plan(
            actor=dw.admin_a, organisation=dw.bureau_a, name="专项预案", kind="special"
        )


# --- transitions -------------------------------------------------------------------------


def test_conduct_then_evaluate_creates_follow_up_actions(dw):
    """Linqing §四.(二): "强化应急演练分析研判、总结评估" — problems become actions."""
    drill = plan_drill(dw.duty_officer_a, dw.bureau_a, organisations=[dw.water_a])
    services.conduct_drill(
        actor=dw.duty_officer_a,
        drill_id=drill.pk,
        conducted_on=date(2026, 5, 23),
        today=date(2026, 5, 23),
    )
    drill = services.evaluate_drill(
        actor=dw.approver_a,
        drill_id=drill.pk,
        score=86,
        improvements="完善叫应名单",
        problems=[problem(dw.water_a, owner_person="王水利"), problem(dw.bureau_a)],
    )
    assert drill.status == "evaluated"
    assert drill.score == 86
    assert drill.evaluated_by == dw.approver_a
    assert drill.actions.count() == 2
    action = drill.actions.get(owner=dw.water_a)
    assert action.owner_person == "王水利"
    assert action.history.latest().history_user == dw.approver_a
    events = Event.objects.filter(subject_type="drills.drill", subject_id=str(drill.pk))
    types = list(events.values_list("type", flat=True))
    assert types == ["drill.planned", "drill.conducted", "drill.evaluated"]
    # The reason is written in the language of the request that made the change.
    assert [h.history_change_reason for h in drill.history.order_by("history_id")] == [
        gettext("Planned"),
        gettext("Conducted"),
        gettext("Evaluated"),
    ]


def test_only_a_planned_drill_can_be_conducted(dw):
    """SPEC §6: planned → conducted → evaluated, never back."""
    drill = conducted(dw.admin_a, dw.bureau_a, date(2026, 5, 23))
    with pytest.raises(InvalidTransition) as exc:
        services.conduct_drill(actor=dw.admin_a, drill_id=drill.pk, conducted_on=date(2026, 5, 24))
    assert exc.value.code == "drill_not_planned"
    assert exc.value.status_code == 409


def test_only_a_conducted_drill_can_be_evaluated(dw):
    """SPEC §6: the evaluation follows the drill."""
    drill = plan_drill(dw.admin_a, dw.bureau_a)
    with pytest.raises(InvalidTransition) as exc:
        services.evaluate_drill(actor=dw.admin_a, drill_id=drill.pk, score=90)
    assert exc.value.code == "drill_not_conducted"
    drill.refresh_from_db()
    assert drill.status == "planned"


def test_evaluated_drill_cannot_be_evaluated_again(dw):
    """SPEC §6: one evaluation per drill."""
    drill = conducted(dw.admin_a, dw.bureau_a, date(2026, 5, 23))
    services.evaluate_drill(actor=dw.admin_a, drill_id=drill.pk, score=90)
    with pytest.raises(InvalidTransition):
        services.evaluate_drill(actor=dw.admin_a, drill_id=drill.pk, score=50)
    assert Drill.objects.get(pk=drill.pk).score == 90


def test_drill_cannot_be_conducted_in_the_future(dw):
    """Linqing §四.(二): the frequency counts drills that happened."""
    drill = plan_drill(dw.admin_a, dw.bureau_a)
    with pytest.raises(ValidationFailed) as exc:
        services.conduct_drill(
            actor=dw.admin_a,
            drill_id=drill.pk,
            conducted_on=date(2026, 5, 24),
            today=date(2026, 5, 23),
        )
    assert "conducted_on" in exc.value.errors


@pytest.mark.parametrize("score", [-1, 101])
def test_score_is_between_0_and_100(dw, score):
    """SPEC §6: the evaluation holds a score of 0–100."""
    drill = conducted(dw.admin_a, dw.bureau_a, date(2026, 5, 23))
    with pytest.raises(ValidationFailed) as exc:
        services.evaluate_drill(actor=dw.admin_a, drill_id=drill.pk, score=score)
    assert "score" in exc.value.errors
    assert Drill.objects.get(pk=drill.pk).status == "conducted"


def test_action_deadline_before_the_drill_is_refused_and_nothing_saved(dw):
    """Linqing §四.(二): follow-up comes after the drill."""
    drill = conducted(dw.admin_a, dw.bureau_a, date(2026, 5, 23))
    with pytest.raises(ValidationFailed):
        services.evaluate_drill(
            actor=dw.admin_a,
            drill_id=drill.pk,
            score=80,
            problems=[problem(dw.water_a, deadline=date(2026, 5, 1))],
        )
    assert not FollowUpAction.objects.exists()
    assert Drill.objects.get(pk=drill.pk).status == "conducted"


def test_other_organisation_staff_cannot_conduct(dw):
    """SPEC §1: object — only the organiser's staff and the bureau write."""
    drill = plan_drill(dw.admin_a, dw.bureau_a)
    with pytest.raises(PermissionDeniedError):
        services.conduct_drill(actor=dw.editor_a, drill_id=drill.pk, conducted_on=date(2026, 5, 20))
    with pytest.raises(NotFoundError):
        services.conduct_drill(
            actor=dw.duty_officer_b, drill_id=drill.pk, conducted_on=date(2026, 5, 20)
        )


def test_only_a_planned_drill_can_be_edited(dw):
    """SPEC §6: once conducted, the record is what happened."""
    drill = conducted(dw.admin_a, dw.bureau_a, date(2026, 5, 23))
    with pytest.raises(InvalidTransition) as exc:
        services.update_drill(actor=dw.admin_a, drill_id=drill.pk, data={"title": "改"})
    assert exc.value.code == "drill_not_editable"


def test_update_recomputes_multi_department(dw):
    """Rongcheng §四.二.4: multi-department follows the participants."""
    drill = plan_drill(dw.admin_a, dw.bureau_a)
    assert not drill.is_multi_department
    drill = services.update_drill(
        actor=dw.admin_a, drill_id=drill.pk, data={"title": "联合演练"}, organisations=[dw.fire_a]
    )
    drill.refresh_from_db()
    assert drill.is_multi_department and drill.title == "联合演练"
    assert Event.objects.filter(type="drill.updated").count() == 1


# --- follow-up actions --------------------------------------------------------------------


def _evaluated_with_action(dw):
    drill = conducted(dw.admin_a, dw.bureau_a, date(2026, 5, 23))
    services.evaluate_drill(
        actor=dw.admin_a, drill_id=drill.pk, score=80, problems=[problem(dw.water_a)]
    )
    return drill.actions.get()


def test_owner_closes_follow_up_action_once(dw):
    """Linqing §四.(二): problems found are followed up to closure."""
    action = _evaluated_with_action(dw)
    closed = services.close_follow_up_action(actor=dw.editor_a, action_id=action.pk, note="已整改")
    assert closed.closed_by == dw.editor_a and closed.closed_at is not None
    assert closed.history.latest().history_user == dw.editor_a
    assert Event.objects.filter(type="drill.action_closed").count() == 1
    with pytest.raises(InvalidTransition) as exc:
        services.close_follow_up_action(actor=dw.admin_a, action_id=action.pk, note="again")
    assert exc.value.code == "action_already_closed"


def test_closing_needs_a_note(dw):
    """Linqing §四.(二): the closure record says what was done."""
    action = _evaluated_with_action(dw)
    with pytest.raises(ValidationFailed):
        services.close_follow_up_action(actor=dw.editor_a, action_id=action.pk, note="  ")
    assert FollowUpAction.objects.get(pk=action.pk).closed_at is None


def test_unrelated_organisation_cannot_close_action(dw):
    """SPEC §1: object permission — owner or drill managers only."""
    action = _evaluated_with_action(dw)
    with pytest.raises(PermissionDeniedError):
        services.close_follow_up_action(actor=dw.editor_power_a, action_id=action.pk, note="x")
    with pytest.raises(NotFoundError):
        services.close_follow_up_action(actor=dw.editor_b, action_id=action.pk, note="x")
