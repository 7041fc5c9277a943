"""Roll-call pages: the dispatcher's list, start form and live progress; the force
account's answer page; schedules; the report with its Excel export. Every write calls
``duty.rollcalls.services``."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.exceptions import DomainError
from core.roles import Role
from core.web import latest_seq, require_roles
from duty.models import (
    RollCall,
    RollCallSchedule,
    RollCallStatus,
    RollCallTarget,
)
from duty.rollcalls import permissions, selectors, services
from duty.rollcalls.forms import (
    AnswerForm,
    IntensificationForm,
    ReportForm,
    RollCallStartForm,
    ScheduleForm,
)
from notify.selectors import deliveries_for_many

READERS = permissions.READER_ROLES
STARTERS = permissions.STARTER_ROLES


def _visible_roll_call(user: Any, pk: int) -> RollCall:
    return get_object_or_404(selectors.visible_roll_calls(user), pk=pk)


@require_roles(READERS)
def roll_call_list(request: HttpRequest) -> HttpResponse:
    roll_calls = selectors.visible_roll_calls(request.user).order_by("-started_at", "-pk")
    status = request.GET.get("status", "")
    if status in RollCallStatus.values:
        roll_calls = roll_calls.filter(status=status)
    page = Paginator(roll_calls, 25).get_page(request.GET.get("page"))
    counts = selectors.progress_by_roll_call([r.pk for r in page.object_list])
    rows = [(r, counts[r.pk]) for r in page.object_list]
    user = request.user
    context = {
        "page": page,
        "rows": rows,
        "status": status,
        "statuses": RollCallStatus.choices,
        "may_start": user.jurisdiction is not None
        and permissions.can_start(user, user.jurisdiction),
    }
    return render(request, "duty/rollcall/list.html", context)


@require_roles(STARTERS)
def roll_call_start(request: HttpRequest) -> HttpResponse:
    form = RollCallStartForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            roll_call = services.start_roll_call(
                actor=request.user,
                jurisdiction=data["jurisdiction"],
                category=data["category"],
                department=data["department"],
                window_minutes=data["window_minutes"],
                late_minutes=data["late_minutes"],
                note=data["note"],
            )
        except DomainError as exc:
            form.add_error(None, exc.detail)
        else:
            messages.success(request, _("Roll call started."))
            return HttpResponseRedirect(reverse("duty:rollcall_detail", args=[roll_call.pk]))
    return render(request, "duty/rollcall/start.html", {"form": form})


def _progress_context(request: HttpRequest, roll_call: RollCall) -> dict[str, Any]:
    targets = list(selectors.targets_of(roll_call))
    reached = deliveries_for_many(targets)
    for target in targets:
        target.reached = reached.get(target.pk, [])
    return {
        "roll_call": roll_call,
        "progress": selectors.progress(roll_call),
        "targets": targets,
        "now": timezone.now(),
        "may_close": roll_call.status == RollCallStatus.RUNNING
        and permissions.can_start(request.user, roll_call.jurisdiction),
    }


@require_roles(READERS)
def roll_call_detail(request: HttpRequest, pk: int) -> HttpResponse:
    roll_call = _visible_roll_call(request.user, pk)
    context = _progress_context(request, roll_call)
    context["last_seq"] = latest_seq(request.user)
    context["storage_key"] = f"linkage.rollcall.{request.user.pk}"
    return render(request, "duty/rollcall/detail.html", context)


@require_roles(READERS)
def roll_call_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress panel alone, re-fetched by htmx when the live feed has news."""
    roll_call = _visible_roll_call(request.user, pk)
    return render(request, "duty/rollcall/_progress.html", _progress_context(request, roll_call))


@require_POST
@require_roles(STARTERS)
def roll_call_close(request: HttpRequest, pk: int) -> HttpResponse:
    roll_call = _visible_roll_call(request.user, pk)
    try:
        services.close_roll_call(actor=request.user, roll_call_id=roll_call.pk)
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("Roll call closed."))
    return HttpResponseRedirect(reverse("duty:rollcall_detail", args=[roll_call.pk]))


# --- the force account ------------------------------------------------------------------


@require_roles([Role.FORCE_ACCOUNT])
def answer_list(request: HttpRequest) -> HttpResponse:
    """A force account's roll calls: one button each (SPEC §5)."""
    template = "duty/rollcall/_pending.html" if request.htmx else "duty/rollcall/answer.html"
    context = {
        "pending": list(selectors.pending_for_force_account(request.user)),
        "recent": list(selectors.recent_answers_for_force_account(request.user)),
        "form": AnswerForm(),
        "now": timezone.now(),
    }
    return render(request, template, context)


@require_POST
@require_roles([Role.FORCE_ACCOUNT])
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    target = get_object_or_404(
        RollCallTarget.objects.filter(force__organisation_id=request.user.organisation_id),
        pk=pk,
    )
    form = AnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please correct the readiness figures."))
        return HttpResponseRedirect(reverse("duty:rollcall_answer_list"))
    data = form.cleaned_data
    try:
        done = services.answer_roll_call(
            actor=request.user,
            target_id=target.pk,
            people_on_duty=data["people_on_duty"],
            equipment_ready=data["equipment_ready"],
            remark=data["remark"],
        )
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(
            request,
            _("Answered for %(force)s: %(outcome)s.")
            % {"force": done.force.name, "outcome": done.get_outcome_display()},
        )
    return HttpResponseRedirect(reverse("duty:rollcall_answer_list"))


# --- schedules --------------------------------------------------------------------------


@require_roles(READERS)
def schedule_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    context = {
        "schedules": RollCallSchedule.objects.visible_to(user).select_related(
            "jurisdiction", "department"
        ),
        "intensifications": selectors.intensifications_for(user),
        "warning_key_periods": selectors.warning_key_periods(user),
        "may_manage": user.jurisdiction is not None
        and permissions.can_manage_schedules(user, user.jurisdiction),
        "today": timezone.localdate(),
    }
    return render(request, "duty/rollcall/schedules.html", context)


@require_roles(STARTERS)
def schedule_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    instance = None
    if pk is not None:
        instance = get_object_or_404(RollCallSchedule.objects.visible_to(request.user), pk=pk)
    form = ScheduleForm(request.POST or None, instance=instance, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_schedule(actor=request.user, schedule=form.instance)
        except DomainError as exc:
            form.add_error(None, exc.detail)
        else:
            messages.success(request, _("Schedule saved."))
            return HttpResponseRedirect(reverse("duty:rollcall_schedules"))
    return render(request, "duty/rollcall/schedule_form.html", {"form": form, "schedule": instance})


@require_roles(STARTERS)
def intensification_form(request: HttpRequest) -> HttpResponse:
    form = IntensificationForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_intensification(actor=request.user, item=form.instance)
        except DomainError as exc:
            form.add_error(None, exc.detail)
        else:
            messages.success(request, _("Key period saved."))
            return HttpResponseRedirect(reverse("duty:rollcall_schedules"))
    return render(request, "duty/rollcall/intensification_form.html", {"form": form})


# --- report -----------------------------------------------------------------------------


def _report_range(request: HttpRequest) -> tuple[ReportForm, Any, Any]:
    start, end = ReportForm.default_range()
    if "start" in request.GET or "end" in request.GET:
        form = ReportForm(request.GET)
        if form.is_valid():
            start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    else:
        form = ReportForm(initial={"start": start, "end": end})
    return form, start, end


@require_roles(READERS)
def report(request: HttpRequest) -> HttpResponse:
    form, start, end = _report_range(request)
    result = selectors.answer_report(request.user, start, end)
    chart = {
        "months": [r.label for r in result.by_month],
        "answer_rate": [r.answer_rate for r in result.by_month],
        "on_time_rate": [r.on_time_rate for r in result.by_month],
        "median_minutes": [
            round(r.median_seconds / 60, 1) if r.median_seconds is not None else None
            for r in result.by_month
        ],
        "departments": [r.label for r in result.by_department],
        "department_rate": [r.answer_rate for r in result.by_department],
        "labels": {
            "answer_rate": _("Answer rate (%)"),
            "on_time_rate": _("On-time rate (%)"),
            "median": _("Median answer time (min)"),
            "month_title": _("By month"),
            "department_title": _("Answer rate by department"),
        },
    }
    context = {"form": form, "report": result, "chart": chart}
    return render(request, "duty/rollcall/report.html", context)


@require_roles(READERS)
def report_xlsx(request: HttpRequest) -> HttpResponse:
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    from core import excel

    _form, start, end = _report_range(request)
    result = selectors.answer_report(request.user, start, end)
    book = Workbook()
    header = [
        _("Targets"),
        _("On time"),
        _("Late"),
        _("No answer"),
        _("Answer rate (%)"),
        _("Median answer time (min)"),
    ]
    highlight = PatternFill("solid", fgColor="F8D7DA")
    sheets = [
        (_("By month"), _("Month"), result.by_month),
        (_("By department"), _("Department"), result.by_department),
        (_("By category"), _("Category"), result.by_category),
        (_("By force"), _("Force"), result.by_force),
    ]
    streak_force_ids = result.streak_force_ids
    first = True
    for title, label, rows in sheets:
        sheet = book.active if first else book.create_sheet()
        first = False
        sheet.title = title
        excel.append(sheet, [label, *header])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            median = round(row.median_seconds / 60, 1) if row.median_seconds is not None else None
            cells = excel.append(
                sheet,
                [
                    row.label,
                    row.total,
                    row.on_time,
                    row.late,
                    row.no_answer,
                    row.answer_rate,
                    median,
                ],
            )
            if label == _("Force") and row.key in streak_force_ids:
                for cell in cells:
                    cell.fill = highlight
        sheet.column_dimensions["A"].width = 36
    streaks = book.create_sheet(_("Missed in a row"))
    excel.append(
        streaks,
        [_("Force"), _("Organisation"), _("Roll calls missed in a row"), _("Last missed")],
    )
    for streak in result.streaks:
        excel.append(
            streaks,
            [
                streak.force_name,
                streak.organisation,
                streak.misses,
                timezone.localtime(streak.last_missed).strftime("%Y-%m-%d %H:%M"),
            ],
        )
    buffer = BytesIO()
    book.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    filename = _("roll-call-report") + f"-{start:%Y%m%d}-{end:%Y%m%d}.xlsx"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
