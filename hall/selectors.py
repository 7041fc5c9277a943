"""What the hall shows, read for a user: the screen's counters and map rows, the feed's
events and sentences, and the dashboard's panels. Every read goes through
``visible_to(user)`` (or the event visibility filter) and costs a fixed number of queries.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.db.models import Case, Count, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from command.choices import IncidentLevel, IncidentStatus
from command.models import Incident
from command.selectors import emergency_flow_q
from core import selectors as core_selectors
from core import visibility
from core.models import Event, Jurisdiction
from core.roles import Role
from core.web import latest_seq
from dispatch.choices import AlertKind, OrderStatus, PlanStatus
from dispatch.models import CallOutOrder, CallOutPlan, DispatchAlert
from dispatch.permissions import is_bureau_approver_of
from dispatch.selectors import overdue_orders, overdue_steps
from dispatch.sentences import event_sentences, feed_sentence, level_labels
from earlywarning import selectors as warning_selectors
from earlywarning.choices import KEY_PERIOD_LEVELS, LEVEL_RANK, WarningLevel
from earlywarning.models import WarningRecipient
from forces.choices import ForceCategory, ForceStatus
from forces.models import Force
from support.shelters import selectors as shelter_selectors

FIRST_PAINT_EVENTS = 30
FEED_LIMIT_DEFAULT = 50
FEED_LIMIT_MAX = 200
MAP_INCIDENT_LIMIT = 500
MAP_FORCE_LIMIT = 3000
PANEL_ROWS = 50

# What the feed shows. Every event still refreshes counters and map; registry edits
# (equipment, experts, accounts) are noise on a wall screen.
FEED_PREFIXES = ("incident.", "plan.", "order.", "notice.", "reinforcement.", "notify.")
FEED_TYPES = (
    "force.status_changed",
    "force.created",
    # Warnings: their steps, not each of thousands of answers (the 叫应 panel counts those).
    "warning.published",
    "warning.cancelled",
    "warning.expired",
    "warning.relayed",
)
WARNING_PANEL_ROWS = 8
ALLOCATION_PANEL_ROWS = 8

ACTIVE_ORDER_STATUSES = (
    OrderStatus.ISSUED,
    OrderStatus.ACKNOWLEDGED,
    OrderStatus.DEPARTED,
    OrderStatus.ARRIVED,
    OrderStatus.COMPLETED,
)


# --- labels shared by the page, the feed and hall.js -----------------------------------


def screen_labels() -> dict[str, Any]:
    return {
        "levels": level_labels(),
        "order_status": dict(OrderStatus.choices),
        "force_status": dict(ForceStatus.choices),
        "shelter_capacity": gettext_lazy("Capacity"),
        "shelter_area": gettext_lazy("Effective area (m²)"),
        "alert_kinds": dict(AlertKind.choices),
        "warning_levels": {value: str(label) for value, label in WarningLevel.choices},
        "sentences": event_sentences(),
        "feed_prefixes": list(FEED_PREFIXES),
        "feed_types": list(FEED_TYPES),
        "time_zone": settings.TIME_ZONE,
    }


# What rings in the hall (issue 10), by event type; rollcall.closed rings only when some
# force did not answer. "notify.escalated" is spelt here because the hall must ring for it
# without importing the notify app's vocabulary (hall.js matches the string).
ALARM_TYPES = {
    "incident.created": gettext_lazy("New incident"),
    "plan.submitted": gettext_lazy("Plan awaiting approval"),
    # Issue 10: approving a plan at 3 a.m. rings the dispatcher's and duty officer's
    # dashboards, so that someone watches the orders go out.
    "plan.approved": gettext_lazy("Plan approved: orders issued"),
    "order.overdue": gettext_lazy("Order overdue"),
    "notify.escalated": gettext_lazy("No answer: escalated"),
    "rollcall.closed": gettext_lazy("Roll call unanswered"),
    # Graded response (issue 13): an instruction of an active response passed its deadline.
    "instruction.overdue": gettext_lazy("Instruction overdue"),
}
ALARM_REPEAT_SECONDS = 5


def alarm_config() -> dict[str, Any]:
    """The labels and timing of static/js/alarms.js, sent as page data."""
    return {
        "types": {key: str(label) for key, label in ALARM_TYPES.items()},
        "rollcall_missed": str(gettext_lazy("{n} did not answer")),
        "escalated_after": str(gettext_lazy("no answer for {n} min")),
        "acknowledge": str(gettext_lazy("Acknowledge")),
        "repeat_seconds": ALARM_REPEAT_SECONDS,
        "time_zone": settings.TIME_ZONE,
    }


def is_feed_type(event_type: str) -> bool:
    return event_type.startswith(FEED_PREFIXES) or event_type in FEED_TYPES


def _feed_filter() -> Q:
    q = Q(type__in=FEED_TYPES)
    for prefix in FEED_PREFIXES:
        q |= Q(type__startswith=prefix)
    return q


def _link(name: str, pk: int) -> str:
    """URL of a detail page, or "" while that page does not exist yet."""
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return ""


# --- reads ---------------------------------------------------------------------------------


def _answer_scope(user: Any) -> Q:
    """The recipients counted for the user, as earlywarning.selectors.unanswered_count
    counts them: all of a warning of its jurisdiction or below, else those in it."""
    if user.is_superuser:
        return Q()
    jurisdiction = user.jurisdiction
    if jurisdiction is None:
        return Q(pk__in=[])
    return Q(jurisdiction__path__startswith=jurisdiction.path) | Q(
        warning__jurisdiction__path__startswith=jurisdiction.path
    )


def active_warning_rows(user: Any, *, limit: int = WARNING_PANEL_ROWS) -> dict[str, Any]:
    """The 叫应 panel: active warnings, most severe first, each with answered / total of
    the recipients the user may see, and the counter 预警未叫应 (two queries, whatever the
    number of warnings or recipients)."""
    warnings = list(
        warning_selectors.active_warnings(user)
        .select_related("hazard_type")
        .order_by("-published_at", "-id")
    )
    warnings.sort(key=lambda w: -LEVEL_RANK.get(WarningLevel(w.level), 0))
    shown = warnings[:limit]
    counts = {
        row["warning_id"]: row
        for row in WarningRecipient.objects.filter(_answer_scope(user))
        .filter(warning_id__in=[w.pk for w in shown])
        .values("warning_id")
        .annotate(total=Count("id"), answered=Count("id", filter=Q(acknowledged_at__isnull=False)))
    }
    rows = []
    for w in shown:
        row = counts.get(w.pk, {"total": 0, "answered": 0})
        rows.append(
            {
                "id": w.pk,
                "headline": w.headline,
                "level": w.level,
                "level_label": str(w.get_level_display()),
                "hazard": w.hazard_type.name,
                "total": row["total"],
                "answered": row["answered"],
                "unanswered": row["total"] - row["answered"],
                "prompt": w.level in KEY_PERIOD_LEVELS,
                "url": _link("earlywarning:warning_detail", w.pk),
            }
        )
    return {
        "warnings": rows,
        "more": max(len(warnings) - limit, 0),
        "unanswered": warning_selectors.unanswered_count(user),
    }


def late_steps(order: CallOutOrder, now: datetime) -> list[str]:
    """Labels of the late steps of an overdue order (open alerts plus passed deadlines)."""
    kinds = {a.kind for a in getattr(order, "open_alerts", [])}
    kinds.update(late.kind for late in overdue_steps(order, now))
    return [label for value, label in AlertKind.choices if value in kinds]


def _orders_of_open_incidents(user: Any) -> QuerySet:
    return CallOutOrder.objects.visible_to(user).filter(plan__incident__status=IncidentStatus.OPEN)


# Orders stood down when their incident closed (issue 13) stay on the order panel and the
# screen this long, counted apart from open ones, instead of vanishing with the incident.
ENDED_ORDER_HOURS = 24


def _recently_ended_orders(user: Any) -> QuerySet:
    since = timezone.now() - timedelta(hours=ENDED_ORDER_HOURS)
    return CallOutOrder.objects.visible_to(user).filter(
        status=OrderStatus.ENDED, ended_at__gte=since
    )


def _orders_by_status(user: Any) -> dict[str, int]:
    rows = (
        _orders_of_open_incidents(user)
        .exclude(status=OrderStatus.ENDED)
        .values("status")
        .annotate(n=Count("id"))
    )
    counts = {row["status"]: row["n"] for row in rows}
    counts[OrderStatus.ENDED] = _recently_ended_orders(user).count()
    return {value: counts.get(value, 0) for value in OrderStatus.values}


def coordinate(value: Any) -> float | None:
    return None if value is None else float(value)


def build_screen_data(user: Any) -> dict[str, Any]:
    """Counters, map rows and the latest sequence number, in a fixed number of queries.

    Orders by status count the orders of open incidents; overdue counts every visible
    order that still needs chasing, even after its incident closed."""
    now = timezone.now()
    # Calls transferred to 12345 or handed to the maritime SAR centre left the flow.
    open_incidents = Incident.objects.visible_to(user).filter(emergency_flow_q())
    incidents = list(
        open_incidents.select_related("jurisdiction").order_by("-received_at", "-id")[
            :MAP_INCIDENT_LIMIT
        ]
    )
    by_level = {
        row["level"]: row["n"] for row in open_incidents.values("level").annotate(n=Count("id"))
    }
    forces = Force.objects.visible_to(user).filter(is_active=True)
    force_counts = {
        row["status"]: row["n"] for row in forces.values("status").annotate(n=Count("id"))
    }
    mapped_forces = forces.filter(latitude__isnull=False, longitude__isnull=False).values(
        "id", "name", "status", "latitude", "longitude"
    )[:MAP_FORCE_LIMIT]
    orders_by_status = _orders_by_status(user)
    overdue = overdue_orders(CallOutOrder.objects.visible_to(user), now).count()
    awaiting = CallOutPlan.objects.visible_to(user).filter(status=PlanStatus.SUBMITTED).count()
    warnings = active_warning_rows(user)
    return {
        "generated_at": now.isoformat(),
        "seq": latest_seq(user),
        "counters": {
            "open_incidents": sum(by_level.values()),
            "plans_awaiting": awaiting,
            "orders_overdue": overdue,
            "orders_active": sum(orders_by_status[s] for s in ACTIVE_ORDER_STATUSES),
            "forces_deployed": force_counts.get(ForceStatus.DEPLOYED, 0),
            "forces_standby": force_counts.get(ForceStatus.STANDBY, 0),
            "warnings_unanswered": warnings["unanswered"],
        },
        "response": response_panel(user, now),
        "allocation": allocation_panel(user, now),
        "warnings": warnings["warnings"],
        "warnings_more": warnings["more"],
        "incidents_by_level": {value: by_level.get(value, 0) for value in IncidentLevel.values},
        "orders_by_status": orders_by_status,
        "forces_by_status": {value: force_counts.get(value, 0) for value in ForceStatus.values},
        "roll_calls": _running_roll_calls(user),
        "incidents": [
            {
                "id": i.pk,
                "title": i.title,
                "level": i.level,
                "status": i.status,
                "lat": coordinate(i.latitude),
                "lng": coordinate(i.longitude),
                "jurisdiction_name": i.jurisdiction.name,
                "received_at": i.received_at.isoformat(),
                "url": _link("command:incident_detail", i.pk),
            }
            for i in incidents
        ],
        "shelters": shelter_layer(user),
        "forces": [
            {
                "id": f["id"],
                "name": f["name"],
                "status": f["status"],
                "lat": coordinate(f["latitude"]),
                "lng": coordinate(f["longitude"]),
            }
            for f in mapped_forces
        ],
    }


def shelter_layer(user: Any) -> list[dict[str, Any]]:
    """Emergency shelters in service of the user's jurisdiction, a toggled layer of the
    screen's map (name, capacity, area): one query."""
    return shelter_selectors.map_shelters(user)


def serialise_event(event: Event, labels: dict[str, Any]) -> dict[str, Any]:
    """The shape live.js hands to ``onEvent`` (``core.selectors.serialize_event``, the one
    serialisation), plus the sentence and local time."""
    return {
        **core_selectors.serialize_event(event),
        "time": timezone.localtime(event.created_at).strftime("%H:%M"),
        "sentence": feed_sentence(event.type, event.subject_label, event.payload, labels),
    }


def feed_events(user: Any, *, after: int | None, limit: int) -> list[Event]:
    events = Event.objects.filter(visibility.event_filter(user), _feed_filter()).select_related(
        "jurisdiction", "actor"
    )
    if after is not None:
        return list(events.filter(seq__gt=after).order_by("seq")[:limit])
    return list(reversed(events.order_by("-seq")[:limit]))


@lru_cache(maxsize=256)
def outline_file(codes: tuple[str, ...]) -> str | None:
    """The GeoJSON of the jurisdiction, else of its nearest ancestor that has one."""
    for code in reversed(codes):
        path = f"geo/{code}.geojson"
        if finders.find(path) or staticfiles_storage.exists(path):
            return path
    return None


def screen_jurisdiction(user: Any) -> Jurisdiction | None:
    if user.jurisdiction is not None:
        return user.jurisdiction
    if user.is_superuser:  # a superuser without an organisation watches the whole tree
        return Jurisdiction.objects.filter(parent__isnull=True).order_by("path").first()
    return None


# --- dashboard -----------------------------------------------------------------------------


def _panel_incidents(user: Any, now: datetime) -> dict[str, Any]:
    rows = list(
        Incident.objects.visible_to(user)
        .filter(emergency_flow_q())
        .select_related("jurisdiction", "incident_type")
        .annotate(
            active_orders=Count(
                "plans__orders",
                filter=Q(plans__orders__status__in=ACTIVE_ORDER_STATUSES),
            )
        )
        .order_by("-received_at", "-id")[: PANEL_ROWS + 1]
    )
    for row in rows:
        row.link = _link("command:incident_detail", row.pk)
    return {"incidents": rows[:PANEL_ROWS], "more": len(rows) > PANEL_ROWS}


def _panel_plans(user: Any, now: datetime) -> dict[str, Any]:
    rows = list(
        CallOutPlan.objects.visible_to(user)
        .filter(status=PlanStatus.SUBMITTED)
        .select_related("incident", "jurisdiction", "drafted_by")
        .annotate(force_count=Count("lines"))
        .order_by("submitted_at", "id")
    )
    approver_only = user.has_role(Role.BUREAU_APPROVER) and not user.is_superuser
    if approver_only:
        # An approver sees what waits for them: plans of their own level (同级应急管理局).
        rows = [p for p in rows if is_bureau_approver_of(user, p.jurisdiction)]
    for row in rows:
        row.link = _link("dispatch:plan_detail", row.pk)
        row.waiting_minutes = (
            int((now - row.submitted_at).total_seconds() // 60) if row.submitted_at else 0
        )
    return {
        "plans": rows[:PANEL_ROWS],
        "more": len(rows) > PANEL_ROWS,
        "approver_only": approver_only,
    }


def _panel_orders(user: Any, now: datetime) -> dict[str, Any]:
    counts = _orders_by_status(user)
    rows = list(
        _orders_of_open_incidents(user)
        .filter(status__in=ACTIVE_ORDER_STATUSES)
        .select_related("force", "plan__incident")
        .order_by("-issued_at", "-id")[: PANEL_ROWS + 1]
    )
    ended = list(
        _recently_ended_orders(user)
        .select_related("force", "plan__incident")
        .order_by("-ended_at", "-id")[: PANEL_ROWS + 1]
    )
    for row in rows + ended:
        row.link = _link("dispatch:order_detail", row.pk)
    return {
        "status_counts": [(value, label, counts[value]) for value, label in OrderStatus.choices],
        "orders": rows[:PANEL_ROWS],
        "more": len(rows) > PANEL_ROWS,
        "ended": ended[:PANEL_ROWS],
        "ended_more": len(ended) > PANEL_ROWS,
        "ended_hours": ENDED_ORDER_HOURS,
    }


def _panel_overdue(user: Any, now: datetime) -> dict[str, Any]:
    rows = list(
        overdue_orders(CallOutOrder.objects.visible_to(user), now)
        .select_related("force", "plan__incident")
        .prefetch_related(
            Prefetch(
                "alerts",
                queryset=DispatchAlert.objects.filter(resolved_at__isnull=True),
                to_attr="open_alerts",
            )
        )
        .order_by("issued_at", "id")[: PANEL_ROWS + 1]
    )
    for row in rows:
        row.link = _link("dispatch:order_detail", row.pk)
        row.late_steps = late_steps(row, now)
    return {"orders": rows[:PANEL_ROWS], "more": len(rows) > PANEL_ROWS}


def _running_roll_calls(user: Any) -> list[dict[str, Any]]:
    """Roll calls under way (SPEC §5): answered / waiting / late, for screen and panel."""
    from duty.rollcalls.selectors import running_for

    return [
        {
            "id": roll_call.pk,
            "jurisdiction_name": roll_call.jurisdiction.name,
            "started_at": roll_call.started_at.isoformat(),
            "started_time": timezone.localtime(roll_call.started_at).strftime("%H:%M"),
            "deadline": roll_call.deadline.isoformat(),
            "total": p.total,
            "answered": p.answered,
            "on_time": p.on_time,
            "late": p.late,
            "waiting": p.waiting,
        }
        for roll_call, p in running_for(user)
    ]


def _panel_rollcalls(user: Any, now: datetime) -> dict[str, Any]:
    from duty.rollcalls.selectors import running_for

    rows = running_for(user)
    for roll_call, _progress in rows:
        roll_call.link = _link("duty:rollcall_detail", roll_call.pk)
    return {"rows": rows}


def _panel_coverage(user: Any, now: datetime) -> dict[str, Any]:
    """Duty rosters with gaps in 24-hour coverage over the next seven days (SPEC §5)."""
    from duty.rosters.selectors import coverage_panel

    return coverage_panel(user, now)


def warnings_panel(user: Any, now: datetime) -> dict[str, Any]:
    """预警未叫应 N, the active warnings' answers, and for each orange or red one the
    prompt to consider a response (the command-HQ issue turns it into graded response)."""
    data = active_warning_rows(user, limit=PANEL_ROWS)
    data["prompts"] = [w for w in data["warnings"] if w["prompt"]]
    return data


def _panel_reports(user: Any, now: datetime) -> dict[str, Any]:
    """报告时限: due reports by deadline and the 迟报 count (command.reports)."""
    from command.reports import deadline_panel

    data = deadline_panel(user, rows=PANEL_ROWS)
    for row in data["reports"]:
        row.link = _link("command:report_detail", row.pk)
    return data


def response_panel(user: Any, now: datetime) -> dict[str, Any]:
    """Graded response (issue 13) on the screen and the dashboard: the active responses,
    most severe first, each with its instructions done / total and overdue, and the
    overdue count of them all (two queries, whatever the number of instructions)."""
    from response.choices import LEVEL_RANK as RESPONSE_RANK
    from response.choices import OPEN_INSTRUCTION_STATUSES, ActivationStatus, InstructionStatus
    from response.models import ResponseActivation, ResponseInstruction

    open_q = Q(instructions__status__in=OPEN_INSTRUCTION_STATUSES)
    late_q = Q(instructions__overdue=True) | Q(instructions__due_at__lt=now)
    active = list(
        ResponseActivation.objects.visible_to(user)
        .filter(status=ActivationStatus.ACTIVE)
        .select_related("jurisdiction", "incident", "warning")
        .annotate(
            total=Count(
                "instructions", filter=~Q(instructions__status=InstructionStatus.CANCELLED)
            ),
            done=Count("instructions", filter=Q(instructions__status=InstructionStatus.DONE)),
            late=Count("instructions", filter=open_q & late_q),
        )
        .order_by("-activated_at", "-id")
    )
    active.sort(key=lambda a: -RESPONSE_RANK.get(a.level, 0))
    overdue = (
        ResponseInstruction.objects.visible_to(user)
        .filter(activation__status=ActivationStatus.ACTIVE, status__in=OPEN_INSTRUCTION_STATUSES)
        .filter(Q(overdue=True) | Q(due_at__lt=now))
        .count()
    )
    return {
        "responses": [
            {
                "id": a.pk,
                "level": a.level,
                "level_label": str(a.get_level_display()),
                "hazard": str(a.get_hazard_display()),
                "subject": a.incident.title
                if a.incident
                else (a.warning.headline if a.warning else ""),
                "jurisdiction_name": a.jurisdiction.name,
                "total": a.total,
                "done": a.done,
                "overdue": a.late,
                "percent": round(100 * a.done / a.total) if a.total else 0,
                "url": _link("response:board", a.pk),
            }
            for a in active[:PANEL_ROWS]
        ],
        "more": max(len(active) - PANEL_ROWS, 0),
        "overdue": overdue,
    }


def allocation_panel(user: Any, now: datetime) -> dict[str, Any]:
    """Open material allocations (issue 14, 调拨) on the screen: number, destination,
    items, status and due time, the soonest needed first, late ones flagged."""
    from support.allocation.selectors import open_allocations

    rows, total = open_allocations(user, limit=ALLOCATION_PANEL_ROWS)
    return {
        "allocations": [
            {
                "id": a.pk,
                "number": a.number,
                "destination": a.destination,
                "for": a.incident.title if a.incident else a.risk_period,
                "items": "、".join(
                    f"{line.item.name}{line.quantity.normalize():f}{line.item.unit}"
                    for line in a.lines.all()
                ),
                "status": a.status,
                "status_label": str(a.get_status_display()),
                "needed_by": a.needed_by,
                "late": a.needed_by < now,
                "url": _link("support:allocation_detail", a.pk),
            }
            for a in rows
        ],
        "more": max(total - ALLOCATION_PANEL_ROWS, 0),
        "total": total,
    }


PANELS: dict[str, Callable[[Any, datetime], dict[str, Any]]] = {
    "incidents": _panel_incidents,
    "response": response_panel,
    "plans": _panel_plans,
    "orders": _panel_orders,
    "overdue": _panel_overdue,
    "rollcalls": _panel_rollcalls,
    "coverage": _panel_coverage,
    "reports": _panel_reports,
}


# --- home ---------------------------------------------------------------------------------


def force_summary(user: Any) -> dict[str, Any]:
    """The home page's count of the active forces the user may see: by status, by
    category, in total, and their active personnel."""
    forces = Force.objects.visible_to(user).filter(is_active=True)
    by_status = {row["status"]: row["n"] for row in forces.values("status").annotate(n=Count("id"))}
    by_category = {
        row["category"]: row["n"] for row in forces.values("category").annotate(n=Count("id"))
    }
    return {
        "status_counts": [(s.value, s.label, by_status.get(s.value, 0)) for s in ForceStatus],
        "category_counts": [(c.value, c.label, by_category.get(c.value, 0)) for c in ForceCategory],
        "total_forces": sum(by_status.values()),
        "headcount": forces.aggregate(n=Count("personnel", filter=Q(personnel__is_active=True)))[
            "n"
        ],
    }


def own_forces(user: Any) -> QuerySet | None:
    """A department editor's or force account's own forces, for the home page; None for
    everybody else."""
    if user.organisation_id and user.has_role(Role.DEPARTMENT_EDITOR, Role.FORCE_ACCOUNT):
        return (
            Force.objects.filter(organisation_id=user.organisation_id)
            .select_related("jurisdiction")
            .order_by("name")
        )
    return None


COMMAND_PANEL_ROWS = 6


def command_panel(user: Any) -> dict[str, Any]:
    """Who commands each open incident (Liaocheng §三.一.3: brigade → on-site HQ → special
    HQ), most severe first: one query."""
    rank = Case(
        *[When(level=level, then=Value(i)) for i, level in enumerate(("i", "ii", "iii", "iv"))],
        default=Value(9),
        output_field=IntegerField(),
    )
    rows = list(
        Incident.objects.visible_to(user)
        .filter(emergency_flow_q())
        .select_related("jurisdiction")
        .only(
            "pk",
            "title",
            "level",
            "command_authority",
            "commander",
            "jurisdiction__name",
            "jurisdiction__path",
        )
        .annotate(rank=rank)
        .order_by("rank", "-received_at", "-id")[: COMMAND_PANEL_ROWS + 1]
    )
    return {"rows": rows[:COMMAND_PANEL_ROWS], "more": len(rows) > COMMAND_PANEL_ROWS}
