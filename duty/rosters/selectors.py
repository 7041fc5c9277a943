"""Reads of duty rosters shared by pages, the API, the feed and the duty dashboard.

Coverage rule (SPEC §5, Tieling §三.(二).1 "领导干部带班和24小时专人值班"): a moment is
covered when at least one *staffed* shift spans it — a shift with a leader on duty and
at least one duty officer. Overlapping shifts merge; a shift ending exactly when the
next starts leaves no gap. A shift missing its leader or every officer does not cover
its hours: they show as a gap, and the shift itself is flagged "unstaffed".
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from core.choices import OrganisationKind
from core.models import Organisation
from duty.models import DutyRoster, Shift, ShiftOfficer, SpotCheck

Interval = tuple[datetime, datetime]

# ---------------------------------------------------------------------- coverage


def gaps_in(intervals: Iterable[Interval], start: datetime, end: datetime) -> list[Interval]:
    """The parts of ``[start, end)`` covered by none of ``intervals``. Pure."""
    gaps: list[Interval] = []
    cursor = start
    for s, e in sorted(intervals):
        if e <= cursor or s >= end:
            continue
        if s > cursor:
            gaps.append((cursor, min(s, end)))
        cursor = max(cursor, e)
        if cursor >= end:
            break
    if cursor < end:
        gaps.append((cursor, end))
    return gaps


def is_staffed(shift: Shift) -> bool:
    """Leader on duty and at least one officer. Uses ``officer_count`` when the query
    annotated it, else the prefetched officers."""
    count = getattr(shift, "officer_count", None)
    if count is None:
        count = len(shift.officers.all())
    return bool(shift.leader_name.strip()) and count > 0


def shifts_between(
    rosters: Iterable[DutyRoster] | DutyRoster, start: datetime, end: datetime
) -> QuerySet[Shift]:
    """Shifts overlapping ``[start, end)`` with their officer count, in one query."""
    ids = [rosters.pk] if isinstance(rosters, DutyRoster) else [r.pk for r in rosters]
    return (
        Shift.objects.filter(roster_id__in=ids, starts_at__lt=end, ends_at__gt=start)
        .annotate(officer_count=Count("officers"))
        .order_by("starts_at", "id")
    )


def coverage_gaps(
    roster: DutyRoster,
    start: datetime,
    end: datetime,
    *,
    shifts: Sequence[Shift] | None = None,
) -> list[Interval]:
    """Gaps in the 24-hour coverage of ``roster`` between ``start`` and ``end``: the
    time no staffed shift spans (see the module docstring)."""
    if shifts is None:
        shifts = list(shifts_between(roster, start, end))
    return gaps_in(((s.starts_at, s.ends_at) for s in shifts if is_staffed(s)), start, end)


def unstaffed_shifts(shifts: Iterable[Shift]) -> list[Shift]:
    return [s for s in shifts if not is_staffed(s)]


@dataclass
class RosterCoverage:
    roster: DutyRoster
    gaps: list[Interval]
    unstaffed: list[Shift] = field(default_factory=list)

    @property
    def gap_hours(self) -> float:
        return round(sum((e - s).total_seconds() for s, e in self.gaps) / 3600, 1)


def coverage_panel(user: Any, now: datetime | None = None) -> dict[str, Any]:
    """Context of ``duty/_coverage_panel.html`` (as ``panel``) for the duty dashboard."""
    now = now or timezone.now()
    return {"rosters": duty_coverage_summary(user, now, now + timedelta(days=7)), "now": now}


def duty_coverage_summary(
    user: Any, start: datetime | None = None, end: datetime | None = None
) -> list[RosterCoverage]:
    """Active rosters in the user's jurisdiction with coverage gaps between ``start``
    (default now) and ``end`` (default seven days later). Two queries whatever the
    number of rosters — for the duty dashboard panel ``duty/_coverage_panel.html``."""
    start = start or timezone.now()
    end = end or start + timedelta(days=7)
    rosters = list(
        DutyRoster.objects.visible_to(user)
        .filter(is_active=True)
        .select_related("organisation", "jurisdiction")
    )
    by_roster: dict[int, list[Shift]] = defaultdict(list)
    for shift in shifts_between(rosters, start, end):
        by_roster[shift.roster_id].append(shift)
    summary = []
    for roster in rosters:
        shifts = by_roster[roster.pk]
        gaps = coverage_gaps(roster, start, end, shifts=shifts)
        if gaps:
            summary.append(RosterCoverage(roster, gaps, unstaffed_shifts(shifts)))
    return summary


# ---------------------------------------------------------------------- calendar


def local_day_bounds(day: date) -> Interval:
    tz = timezone.get_current_timezone()
    start = datetime.combine(day, time.min, tzinfo=tz)
    return start, datetime.combine(day + timedelta(days=1), time.min, tzinfo=tz)


def month_bounds(year: int, month: int) -> Interval:
    last = calendar.monthrange(year, month)[1]
    return local_day_bounds(date(year, month, 1))[0], local_day_bounds(date(year, month, last))[1]


def _hm(moment: datetime, day_end: datetime) -> str:
    """``H:i`` in local time; the midnight ending a day reads ``24:00``."""
    return "24:00" if moment == day_end else timezone.localtime(moment).strftime("%H:%M")


@dataclass
class DayShift:
    """The part of a shift that falls in one local day of the calendar.

    ``continued``: the shift began on an earlier day; ``runs_on``: it ends after this
    day. The label marks both, e.g. ``20:00 → next day 08:00`` on the first day and
    ``continued → 08:00`` on the next."""

    shift: Shift
    day_start: datetime
    day_end: datetime

    @property
    def continued(self) -> bool:
        return self.shift.starts_at < self.day_start

    @property
    def runs_on(self) -> bool:
        return self.shift.ends_at > self.day_end

    @property
    def label(self) -> str:
        start, end = self.shift.starts_at, self.shift.ends_at
        if not self.runs_on:
            end_text = _hm(end, self.day_end)
            if self.continued:
                return _("continued → %(time)s") % {"time": end_text}
            return f"{_hm(start, self.day_end)}–{end_text}"
        if self.continued:
            return _("continued, all day")
        local_end = timezone.localtime(end)
        if end <= self.day_end + timedelta(days=1):
            end_text = _("→ next day %(time)s") % {
                "time": _hm(end, self.day_end + timedelta(days=1))
            }
        else:
            end_text = f"→ {local_end:%m-%d %H:%M}"
        return f"{_hm(start, self.day_end)} {end_text}"


@dataclass
class CalendarDay:
    day: date
    in_month: bool
    shifts: list[DayShift] = field(default_factory=list)
    gaps: list[Interval] = field(default_factory=list)


def month_calendar(roster: DutyRoster, year: int, month: int) -> dict[str, Any]:
    """Weeks (Monday first) of days with the shifts starting or running on each day (as
    ``DayShift``: the part in that day, continuations marked) and the coverage gaps cut
    at day boundaries (local time)."""
    start, end = month_bounds(year, month)
    shifts = list(
        shifts_between(roster, start, end).prefetch_related(
            Prefetch("officers", queryset=ShiftOfficer.objects.select_related("organisation"))
        )
    )
    gaps = coverage_gaps(roster, start, end, shifts=shifts)
    weeks = []
    for week in calendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
        row = []
        for day in week:
            d_start, d_end = local_day_bounds(day)
            cell = CalendarDay(day, day.month == month)
            if cell.in_month:
                cell.shifts = [
                    DayShift(s, d_start, d_end)
                    for s in shifts
                    if s.starts_at < d_end and s.ends_at > d_start
                ]
                cell.gaps = [
                    (timezone.localtime(max(s, d_start)), timezone.localtime(min(e, d_end)))
                    for s, e in gaps
                    if s < d_end and e > d_start
                ]
            row.append(cell)
        weeks.append(row)
    return {
        "weeks": weeks,
        "shifts": shifts,
        "gaps": gaps,
        "unstaffed": unstaffed_shifts(shifts),
        "start": start,
        "end": end,
    }


# ---------------------------------------------------------------------- masking


def roster_org_ids(roster: DutyRoster) -> set[int]:
    """Owner and partners; uses prefetched partners when present."""
    return {roster.organisation_id, *(p.pk for p in roster.partners.all())}


# ---------------------------------------------------------------------- spot checks


def quarter_of(day: date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def quarter_label(year: int, quarter: int) -> str:
    return f"{year}Q{quarter}"


def linkage_units(user: Any) -> QuerySet[Organisation]:
    """Zhoushan §五.(一): the linkage units a spot check looks at — every active
    organisation in the user's jurisdiction except the emergency bureaus that run the
    checks."""
    return (
        Organisation.objects.visible_to(user)
        .filter(is_active=True)
        .exclude(kind=OrganisationKind.EMERGENCY_BUREAU)
        .select_related("jurisdiction")
    )


def spot_check_quarter(user: Any, year: int, quarter: int) -> dict[str, Any]:
    """This quarter's spot checks per jurisdiction, and the linkage units not checked
    yet. Three queries whatever the number of rows."""
    checks = list(
        SpotCheck.objects.visible_to(user)
        .filter(year=year, quarter=quarter)
        .select_related("organisation__jurisdiction", "checked_by", "closed_by")
        .order_by("organisation__jurisdiction__path", "organisation__name", "-checked_on")
    )
    checked_ids = {c.organisation_id for c in checks}
    unchecked = [o for o in linkage_units(user) if o.pk not in checked_ids]
    groups: dict[Any, dict[str, list[Any]]] = {}
    for c in checks:
        groups.setdefault(c.organisation.jurisdiction, {"checks": [], "unchecked": []})
        groups[c.organisation.jurisdiction]["checks"].append(c)
    for o in unchecked:
        groups.setdefault(o.jurisdiction, {"checks": [], "unchecked": []})
        groups[o.jurisdiction]["unchecked"].append(o)
    ordered = sorted(groups.items(), key=lambda kv: kv[0].path)
    return {
        "checks": checks,
        "unchecked": unchecked,
        "by_jurisdiction": [(j, g["checks"], g["unchecked"]) for j, g in ordered],
        "label": quarter_label(year, quarter),
    }
