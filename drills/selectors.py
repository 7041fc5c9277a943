"""Reads shared by the drill pages and API: the compliance table, the calendar, history."""

from __future__ import annotations

import calendar
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from core.models import Organisation
from drills.choices import ComplianceStatus, DrillStatus, PlanKind, RuleScope
from drills.models import (
    ContingencyPlan,
    Drill,
    DrillFrequencyRule,
    FollowUpAction,
)

DUE_SOON_DAYS = 30


def drills_for(user: Any) -> QuerySet[Drill]:
    """Drills the user may see, with what list rows show, in a constant number of queries."""
    return (
        Drill.objects.visible_to(user)
        .select_related("organiser__jurisdiction", "contingency_plan", "annual_plan")
        .prefetch_related(
            Prefetch(
                "participating_organisations",
                queryset=Organisation.objects.only("pk", "name", "kind"),
            )
        )
    )


# --- compliance -------------------------------------------------------------------------


@dataclass
class ComplianceRow:
    """One organisation against one rule (and, for plan rules, one special plan)."""

    organisation: Organisation
    rule: DrillFrequencyRule
    status: str
    last_drill_id: int | None = None
    last_drill_title: str = ""
    last_drill_on: date | None = None
    due_date: date | None = None  # None: never drilled, due at once
    plan: ContingencyPlan | None = None

    @property
    def status_label(self) -> str:
        return str(ComplianceStatus(self.status).label)

    @property
    def days_left(self) -> int | None:
        return None if self.due_date is None else (self.due_date - self._today).days

    _today: date = field(default_factory=date.today, repr=False)


def status_for(due: date | None, today: date) -> str:
    """Overdue the day after the due date; due soon within DUE_SOON_DAYS before it."""
    if due is None or today > due:
        return ComplianceStatus.OVERDUE
    if (due - today).days <= DUE_SOON_DAYS:
        return ComplianceStatus.DUE
    return ComplianceStatus.OK


def compliance(
    user: Any, *, today: date, statuses: set[str] | None = None, jurisdiction_path: str = ""
) -> list[ComplianceRow]:
    """Every active organisation in the user's jurisdiction against every rule that applies
    to it (Linqing §四.(二), Rongcheng §四.二.4). Four queries whatever the size: rules,
    organisations, special plans, conducted drills (one row per drill, latest first)."""
    rules = list(DrillFrequencyRule.objects.filter(is_active=True))
    if not rules:
        return []
    orgs_qs = (
        Organisation.objects.visible_to(user).filter(is_active=True).select_related("jurisdiction")
    )
    if jurisdiction_path:
        orgs_qs = orgs_qs.filter(jurisdiction__path__startswith=jurisdiction_path)
    orgs = [o for o in orgs_qs if any(r.applies_to(o) for r in rules)]
    if not orgs:
        return []
    org_ids = [o.pk for o in orgs]
    plans_by_org: dict[int, list[ContingencyPlan]] = defaultdict(list)
    plan_rules = any(r.scope == RuleScope.SPECIAL_PLAN for r in rules)
    if plan_rules:
        for plan in ContingencyPlan.objects.filter(
            organisation_id__in=org_ids, kind=PlanKind.SPECIAL, is_active=True
        ).order_by("name"):
            plans_by_org[plan.organisation_id].append(plan)
    plan_ids = [p.pk for ps in plans_by_org.values() for p in ps]
    # Drills count for their organiser; for a plan rule, any drill exercising the plan.
    drills = (
        Drill.objects.filter(
            Q(organiser_id__in=org_ids) | Q(contingency_plan_id__in=plan_ids),
            status__in=[DrillStatus.CONDUCTED, DrillStatus.EVALUATED],
            conducted_on__lte=today,
        )
        .values_list(
            "pk",
            "title",
            "organiser_id",
            "drill_type",
            "is_multi_department",
            "contingency_plan_id",
            "conducted_on",
        )
        .order_by("-conducted_on", "-pk")
    )
    by_org: dict[int, list[tuple]] = defaultdict(list)
    by_plan: dict[int, tuple] = {}
    for row in drills:
        by_org[row[2]].append(row)
        if row[5] is not None and row[5] not in by_plan:
            by_plan[row[5]] = row

    result: list[ComplianceRow] = []
    for org in orgs:
        for rule in rules:
            if not rule.applies_to(org):
                continue
            if rule.scope == RuleScope.ORGANISATION:
                last = next((d for d in by_org[org.pk] if rule.counts(d[3], d[4])), None)
                result.append(_row(org, rule, last, today))
            else:
                for plan in plans_by_org[org.pk]:
                    result.append(_row(org, rule, by_plan.get(plan.pk), today, plan=plan))
    if statuses:
        result = [r for r in result if r.status in statuses]
    order = {ComplianceStatus.OVERDUE: 0, ComplianceStatus.DUE: 1, ComplianceStatus.OK: 2}
    result.sort(
        key=lambda r: (
            r.organisation.jurisdiction.path,
            order[ComplianceStatus(r.status)],
            r.due_date or date.min,
            r.organisation.name,
        )
    )
    return result


def _row(
    org: Organisation,
    rule: DrillFrequencyRule,
    last: tuple | None,
    today: date,
    plan: ContingencyPlan | None = None,
) -> ComplianceRow:
    due = rule.due_date(last[6]) if last else None
    return ComplianceRow(
        organisation=org,
        rule=rule,
        plan=plan,
        status=status_for(due, today),
        last_drill_id=last[0] if last else None,
        last_drill_title=last[1] if last else "",
        last_drill_on=last[6] if last else None,
        due_date=due,
        _today=today,
    )


# --- calendar ---------------------------------------------------------------------------


@dataclass
class CalendarDay:
    day: date
    in_month: bool
    is_today: bool
    drills: list[Drill]


def month_calendar(user: Any, year: int, month: int, today: date) -> list[list[CalendarDay]]:
    """Weeks (Monday first) of the month with the drills planned or conducted each day."""
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    first, last = weeks[0][0], weeks[-1][-1]
    by_day: dict[date, list[Drill]] = defaultdict(list)
    for drill in (
        Drill.objects.visible_to(user)
        .filter(planned_date__range=(first, last))
        .select_related("organiser")
        .order_by("planned_date", "pk")
    ):
        by_day[drill.planned_date].append(drill)
    return [
        [CalendarDay(d, d.month == month, d == today, by_day.get(d, [])) for d in week]
        for week in weeks
    ]


def shift_month(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + month - 1 + delta
    return index // 12, index % 12 + 1


# --- history ----------------------------------------------------------------------------


@dataclass
class HistoryEntry:
    when: datetime
    who: str
    subject: str
    action: str
    reason: str


def drill_history(drill: Drill) -> list[HistoryEntry]:
    """The drill's and its follow-up actions' history rows, newest first."""
    entries = []
    for rec in drill.history.select_related("history_user"):
        entries.append(
            HistoryEntry(
                rec.history_date,
                str(rec.history_user or "—"),
                str(drill._meta.verbose_name),
                rec.get_status_display(),
                rec.history_change_reason or "",
            )
        )
    for rec in FollowUpAction.history.filter(drill_id=drill.pk).select_related("history_user"):
        entries.append(
            HistoryEntry(
                rec.history_date,
                str(rec.history_user or "—"),
                f"{FollowUpAction._meta.verbose_name}: {rec.problem[:40]}",
                "",
                rec.history_change_reason or "",
            )
        )
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries
