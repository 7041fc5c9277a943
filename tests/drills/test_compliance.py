"""Drill frequency rules (Linqing §四.(二), Rongcheng §四.二.4) and their exact period
boundaries."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.choices import RiskClass
from drills import services
from drills.models import DrillFrequencyRule, add_months
from drills.selectors import compliance
from tests.drills.helpers import conducted, plan_drill

pytestmark = pytest.mark.django_db


def rows_for(user, org, today, code=None):
    return [
        r
        for r in compliance(user, today=today)
        if r.organisation == org and (code is None or r.rule.code == code)
    ]


def one(user, org, today, code):
    found = rows_for(user, org, today, code)
    assert len(found) == 1, found
    return found[0]


@pytest.fixture
def high_risk_power(dw):
    dw.power_a.risk_class = RiskClass.HIGH
    dw.power_a.save(update_fields=["risk_class"])
    return dw


# --- month arithmetic ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 5, 23), 6, date(2026, 11, 23)),
        (date(2026, 8, 31), 6, date(2027, 2, 28)),
        (date(2027, 8, 31), 6, date(2028, 2, 29)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2026, 12, 15), 24, date(2028, 12, 15)),
    ],
)
def test_add_months_clamps_to_month_end(start, months, expected):
    """The documented period rule of DrillFrequencyRule."""
    assert add_months(start, months) == expected


def test_seed_rules_are_data():
    """Linqing §四.(二), Rongcheng §四.二.4: five rules seeded by the data migration."""
    rules = {r.code: r for r in DrillFrequencyRule.objects.all()}
    assert rules["bureau-annual-multi-department-comprehensive"].period_months == 12
    assert rules["bureau-annual-multi-department-comprehensive"].requires_multi_department
    assert rules["high-risk-half-yearly"].period_months == 6
    assert rules["high-risk-special-plans-2y"].period_months == 24
    assert rules["enterprise-yearly"].period_months == 12
    assert rules["enterprise-special-plans-3y"].period_months == 36


# --- high-risk enterprises: every half year -----------------------------------------------


def test_half_year_rule_boundary(high_risk_power):
    """Linqing §四.(二): "高危行业企业、人员密集场所…至少每半年组织开展1次" — conducted
    2026-05-23, satisfied until 2026-11-23 inclusive, overdue on 2026-11-24."""
    w = high_risk_power
    conducted(w.editor_power_a, w.power_a, date(2026, 5, 23), drill_type="special")
    code = "high-risk-half-yearly"
    assert one(w.admin_a, w.power_a, date(2026, 10, 23), code).status == "ok"
    assert one(w.admin_a, w.power_a, date(2026, 10, 24), code).status == "due"
    last_day = one(w.admin_a, w.power_a, date(2026, 11, 23), code)
    assert last_day.status == "due"
    assert last_day.due_date == date(2026, 11, 23)
    assert last_day.last_drill_on == date(2026, 5, 23)
    assert one(w.admin_a, w.power_a, date(2026, 11, 24), code).status == "overdue"


def test_half_year_rule_at_month_end(high_risk_power):
    """Linqing §四.(二): 2026-08-31 + 6 months is 2027-02-28; overdue from 2027-03-01."""
    w = high_risk_power
    conducted(w.editor_power_a, w.power_a, date(2026, 8, 31), drill_type="comprehensive")
    code = "high-risk-half-yearly"
    assert one(w.admin_a, w.power_a, date(2027, 2, 28), code).status == "due"
    assert one(w.admin_a, w.power_a, date(2027, 3, 1), code).status == "overdue"


def test_tabletop_does_not_count_for_half_year_rule(high_risk_power):
    """Linqing §四.(二): the half-year drill is a comprehensive or special plan drill."""
    w = high_risk_power
    conducted(w.editor_power_a, w.power_a, date(2026, 9, 1), drill_type="tabletop")
    row = one(w.admin_a, w.power_a, date(2026, 10, 1), "high-risk-half-yearly")
    assert row.status == "overdue" and row.due_date is None


def test_every_special_plan_within_two_years(high_risk_power):
    """Linqing §四.(二): "每2年对所有专项应急预案至少组织1次演练" — per plan, exact day."""
    w = high_risk_power
    leak = services.create_contingency_plan(
        actor=w.editor_power_a,
        organisation=w.power_a,
        name="电缆沟火灾专项预案",
        kind="special",
        hazard="fire",
    )
    services.create_contingency_plan(
        actor=w.editor_power_a,
        organisation=w.power_a,
        name="防汛保供电专项预案",
        kind="special",
        hazard="flood",
    )
    conducted(
        w.editor_power_a,
        w.power_a,
        date(2024, 11, 30),
        drill_type="tabletop",
        contingency_plan=leak,
    )
    rows = {
        r.plan.name: r
        for r in rows_for(w.admin_a, w.power_a, date(2026, 11, 30), "high-risk-special-plans-2y")
    }
    assert rows["电缆沟火灾专项预案"].status == "due"
    assert rows["电缆沟火灾专项预案"].due_date == date(2026, 11, 30)
    assert rows["防汛保供电专项预案"].status == "overdue"
    assert rows["防汛保供电专项预案"].last_drill_on is None
    after = rows_for(w.admin_a, w.power_a, date(2026, 12, 1), "high-risk-special-plans-2y")
    assert next(r for r in after if r.plan == leak).status == "overdue"


# --- other enterprises: yearly, special plans every 3 years ---------------------------------


def test_normal_enterprise_yearly_rule_boundary(dw):
    """Linqing §四.(二): "其他企业至少每年组织开展1次" — 2025-11-24 holds until 2026-11-24."""
    conducted(dw.editor_power_a, dw.power_a, date(2025, 11, 24), drill_type="special")
    assert one(dw.admin_a, dw.power_a, date(2026, 11, 24), "enterprise-yearly").status == "due"
    assert one(dw.admin_a, dw.power_a, date(2026, 11, 25), "enterprise-yearly").status == "overdue"
    assert not rows_for(dw.admin_a, dw.power_a, date(2026, 11, 24), "high-risk-half-yearly")


def test_normal_enterprise_special_plan_every_three_years(dw):
    """Linqing §四.(二): "每3年对所有专项应急预案至少组织1次演练"."""
    plan = services.create_contingency_plan(
        actor=dw.editor_power_a,
        organisation=dw.power_a,
        name="大面积停电专项预案",
        kind="special",
        hazard="flood",
    )
    conducted(
        dw.editor_power_a,
        dw.power_a,
        date(2023, 6, 10),
        drill_type="special",
        contingency_plan=plan,
    )
    code = "enterprise-special-plans-3y"
    assert one(dw.admin_a, dw.power_a, date(2026, 6, 10), code).status == "due"
    assert one(dw.admin_a, dw.power_a, date(2026, 6, 11), code).status == "overdue"


def test_competition_does_not_count_for_enterprise(dw):
    """Linqing §四.(二): a comprehensive or special plan drill is required."""
    conducted(dw.editor_power_a, dw.power_a, date(2026, 6, 1), drill_type="competition")
    assert one(dw.admin_a, dw.power_a, date(2026, 7, 1), "enterprise-yearly").status == "overdue"


# --- the bureau: one multi-department comprehensive drill a year --------------------------


def test_bureau_needs_multi_department_comprehensive_drill(dw):
    """Rongcheng §四.二.4: "每年至少开展1次多部门联合参加的综合性应急救援演练"."""
    code = "bureau-annual-multi-department-comprehensive"
    conducted(dw.admin_a, dw.bureau_a, date(2026, 3, 1), drill_type="comprehensive")
    conducted(dw.admin_a, dw.bureau_a, date(2026, 4, 1), drill_type="tabletop")
    row = one(dw.admin_a, dw.bureau_a, date(2026, 5, 1), code)
    assert row.status == "overdue" and row.last_drill_on is None
    conducted(
        dw.admin_a,
        dw.bureau_a,
        date(2026, 2, 10),
        drill_type="comprehensive",
        organisations=[dw.water_a, dw.fire_a],
    )
    assert one(dw.admin_a, dw.bureau_a, date(2027, 2, 10), code).status == "due"
    assert one(dw.admin_a, dw.bureau_a, date(2027, 2, 11), code).status == "overdue"


def test_never_drilled_is_overdue_at_once(dw):
    """Linqing §四.(二): the rules have run for years — no drill ever means overdue."""
    code = "bureau-annual-multi-department-comprehensive"
    row = one(dw.admin_city, dw.bureau_b, date(2026, 1, 1), code)
    assert row.status == "overdue"
    assert row.due_date is None and row.last_drill_id is None


def test_planned_but_not_conducted_drills_do_not_count(dw):
    """Linqing §四.(二): the frequency counts drills carried out."""
    plan_drill(
        dw.admin_a,
        dw.bureau_a,
        drill_type="comprehensive",
        organisations=[dw.water_a],
        planned_date=date(2026, 4, 1),
    )
    code = "bureau-annual-multi-department-comprehensive"
    assert one(dw.admin_a, dw.bureau_a, date(2026, 5, 1), code).status == "overdue"


def test_inactive_rule_is_ignored(dw):
    """Rules are data: a county may switch one off."""
    DrillFrequencyRule.objects.filter(code="enterprise-yearly").update(is_active=False)
    assert not rows_for(dw.admin_a, dw.power_a, date(2026, 5, 1), "enterprise-yearly")


# --- scope and cost ---------------------------------------------------------------------------


def test_compliance_is_scoped_to_the_jurisdiction_subtree(dw):
    """SPEC §1: a county sees its own organisations; the city sees both counties."""
    county_b = {r.organisation for r in compliance(dw.duty_officer_b, today=date(2026, 5, 1))}
    assert dw.bureau_b in county_b
    assert dw.bureau_a not in county_b and dw.power_a not in county_b
    city = {r.organisation for r in compliance(dw.admin_city, today=date(2026, 5, 1))}
    assert {dw.bureau_a, dw.bureau_b, dw.power_a, dw.city_bureau} <= city


def test_status_filter(dw):
    conducted(dw.editor_power_a, dw.power_a, date(2026, 4, 1), drill_type="special")
    rows = compliance(dw.admin_a, today=date(2026, 5, 1), statuses={"overdue"})
    assert rows and all(r.status == "overdue" for r in rows)
    assert dw.power_a not in {r.organisation for r in rows}


def test_compliance_query_count_is_constant(high_risk_power):
    """Four queries (rules, organisations, special plans, drills) whatever the size."""
    w = high_risk_power
    conducted(w.editor_power_a, w.power_a, date(2026, 4, 1), drill_type="special")
    with CaptureQueriesContext(connection) as ctx:
        compliance(w.admin_city, today=date(2026, 5, 1))
    first = len(ctx.captured_queries)
    for i in range(5):
        plan = services.create_contingency_plan(
            actor=w.editor_power_a,
            organisation=w.power_a,
            name=f"专项预案{i}",
            kind="special",
            hazard="fire",
        )
        conducted(
            w.editor_power_a,
            w.power_a,
            date(2026, 3, i + 1),
            drill_type="special",
            contingency_plan=plan,
        )
    with CaptureQueriesContext(connection) as ctx:
        rows = compliance(w.admin_city, today=date(2026, 5, 1))
    assert len(ctx.captured_queries) == first <= 4
    assert len(rows) > 5
