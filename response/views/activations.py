"""Activations and the HQ page (Tieling §三.二.4, 附件1 §1 and §13): the list of
responses, the activate form (from an incident, a warning or the dashboard's prompt),
the response board — instructions by department with their status, deadline and who
acknowledged how, the seats and what each owes, the steps — with the raise/lower/end
forms, the seat forms, and a department's "our instructions" page where its editor
acknowledges, starts and completes with a report.

Every write goes through response.services; a page only decides what to offer. Outside
the user's reach a response is 404, the wrong role 403 (core.web).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View

from command.models import Incident
from core.exceptions import DomainError
from core.masking import mask_phone
from core.models import Jurisdiction, Organisation
from core.permissions import can_see_personal_data
from core.web import RoleRequiredMixin, raise_for
from earlywarning.selectors import visible_warnings
from notify.choices import ResponderChannel
from response import permissions, selectors, services
from response.choices import (
    OPEN_INSTRUCTION_STATUSES,
    ActivationStatus,
    InstructionStatus,
    ResponseHazard,
    ResponseLevel,
)
from response.forms import (
    ActivateForm,
    CompleteForm,
    EndForm,
    LevelForm,
    SeatForm,
    manual_departments,
)
from response.models import (
    ResponseActivation,
    ResponseInstruction,
    ResponseManual,
    Seat,
)

PAGE_SIZE = 25
# Who commands a response (activates, raises, lowers, ends): the bureau's roles; where,
# permissions.can_command_response says.
COMMAND_ROLES = tuple(sorted(permissions.COMMAND_ROLES))
CHANNELS = dict(ResponderChannel.choices)
INSTRUCTION_ACTIONS = ("acknowledge", "start", "complete")

# An incident's disaster type, or a warning's hazard code, → the manual's hazard.
DISASTER_HAZARDS = {
    "flood": ResponseHazard.FLOOD,
    "earthquake_geological": ResponseHazard.EARTHQUAKE_GEOLOGICAL,
    "hazchem_industrial": ResponseHazard.HAZARDOUS_CHEMICALS,
    "non_coal_mine": ResponseHazard.PRODUCTION_SAFETY,
    "forest_fire": ResponseHazard.FOREST_FIRE,
}
WARNING_HAZARDS = {
    "flood": ResponseHazard.FLOOD,
    "rainstorm": ResponseHazard.FLOOD,
    "typhoon": ResponseHazard.FLOOD,
    "drought": ResponseHazard.DROUGHT,
    "geological": ResponseHazard.EARTHQUAKE_GEOLOGICAL,
    "earthquake": ResponseHazard.EARTHQUAKE_GEOLOGICAL,
    "forest_fire": ResponseHazard.FOREST_FIRE,
    "snow": ResponseHazard.SNOW_ICE,
    "blizzard": ResponseHazard.SNOW_ICE,
    "cold_wave": ResponseHazard.SNOW_ICE,
    "ice": ResponseHazard.SNOW_ICE,
    "road_icing": ResponseHazard.SNOW_ICE,
}
# A warning's colour → the level a response would start at (red Ⅰ … blue Ⅳ).
WARNING_LEVELS = {
    "red": ResponseLevel.I,
    "orange": ResponseLevel.II,
    "yellow": ResponseLevel.III,
    "blue": ResponseLevel.IV,
}


def may_open(user: Any) -> bool:
    """The response pages: who reads incidents, and the departments' accounts (which
    responses each sees: selectors.visible_activations)."""
    return permissions.can_read_responses(user)


def may_command(user: Any) -> bool:
    return user.is_superuser or user.has_role(*COMMAND_ROLES)


def may_work_instructions(user: Any) -> bool:
    """The "our instructions" page: the accounts that speak for a department, and duty
    officers signing on a department's behalf."""
    return user.is_superuser or (
        user.organisation_id is not None and user.has_role(*permissions.DEPARTMENT_ROLES)
    )


class ResponseRoleMixin(RoleRequiredMixin):
    def allowed(self, user: Any) -> bool:
        return may_open(user)


def _next_url(request: HttpRequest, default: str) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


def with_counts(qs: QuerySet[ResponseActivation]) -> QuerySet[ResponseActivation]:
    """Each response with its instruction counts (one query for the list)."""
    open_q = Q(instructions__status__in=OPEN_INSTRUCTION_STATUSES)
    return qs.select_related("jurisdiction", "incident", "warning", "activated_by").annotate(
        total=Count("instructions", filter=~Q(instructions__status=InstructionStatus.CANCELLED)),
        done=Count("instructions", filter=Q(instructions__status=InstructionStatus.DONE)),
        open_count=Count("instructions", filter=open_q),
        overdue_count=Count(
            "instructions",
            filter=open_q
            & (Q(instructions__overdue=True) | Q(instructions__due_at__lt=timezone.now())),
        ),
    )


def _visible(user: Any) -> QuerySet[ResponseActivation]:
    return selectors.visible_activations(user)


# --- the list -------------------------------------------------------------------------------


class ActivationListView(ResponseRoleMixin, View):
    """Active responses first (the HQ pages), then ended ones."""

    def get(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        qs = _visible(user)
        active = list(
            with_counts(qs.filter(status=ActivationStatus.ACTIVE)).order_by("-activated_at", "-id")
        )
        ended = with_counts(qs.filter(status=ActivationStatus.ENDED)).order_by("-ended_at", "-id")
        page = Paginator(ended, PAGE_SIZE).get_page(request.GET.get("page"))
        has_instructions = may_work_instructions(user)
        return render(
            request,
            "response/list.html",
            {
                "active": active,
                "page": page,
                "may_command": may_command(user),
                "has_instructions": has_instructions,
            },
        )


# --- activate -------------------------------------------------------------------------------


def _target(request: HttpRequest) -> tuple[Incident | None, Any]:
    """The incident or warning named by ?incident= / ?warning= (or the form's fields),
    among those the user may read."""
    source = request.POST if request.method == "POST" else request.GET
    incident_id = source.get("incident", "")
    warning_id = source.get("warning", "")
    if bool(incident_id) == bool(warning_id):
        raise Http404(_("Choose an incident or a warning to respond to."))
    try:
        if incident_id:
            incident = get_object_or_404(
                Incident.objects.visible_to(request.user).select_related(
                    "jurisdiction", "incident_type"
                ),
                pk=int(incident_id),
            )
            return incident, None
        warning = get_object_or_404(visible_warnings(request.user), pk=int(warning_id))
    except ValueError as exc:
        raise Http404(_("No such incident or warning.")) from exc
    return None, warning


def _initial(incident: Incident | None, warning: Any) -> dict[str, str]:
    if incident is not None:
        hazard = DISASTER_HAZARDS.get(incident.incident_type.disaster_type or "", "")
        level = incident.level if incident.level in ResponseLevel.values else ResponseLevel.IV
        return {"hazard": hazard, "level": level}
    hazard = WARNING_HAZARDS.get(warning.hazard_type.code, "")
    return {"hazard": hazard, "level": WARNING_LEVELS.get(warning.level, ResponseLevel.IV)}


def _manuals_for(jurisdiction: Jurisdiction) -> list[ResponseManual]:
    """The manuals that apply in ``jurisdiction`` (its own and its ancestors'), nearest
    first for each hazard and level."""
    codes = jurisdiction.ancestors_and_self()
    depth = {code: i for i, code in enumerate(codes)}
    manuals = (
        ResponseManual.objects.filter(jurisdiction__code__in=codes)
        .select_related("jurisdiction")
        .annotate(line_count=Count("instructions"))
    )
    nearest: dict[tuple[str, str], ResponseManual] = {}
    for manual in sorted(manuals, key=lambda m: depth[m.jurisdiction.code]):
        nearest[(manual.hazard, manual.level)] = manual
    order = {value: i for i, value in enumerate(ResponseHazard.values)}
    ranks = {ResponseLevel.IV: 0, ResponseLevel.III: 1, ResponseLevel.II: 2, ResponseLevel.I: 3}
    return sorted(nearest.values(), key=lambda m: (order.get(m.hazard, 99), ranks.get(m.level, 9)))


class ActivateView(ResponseRoleMixin, View):
    """Start a response at a level for an incident or a warning: the manual of that
    hazard and level is instantiated and each department is sent its instructions."""

    def allowed(self, user: Any) -> bool:
        return may_command(user)

    def _load(self, request: HttpRequest) -> tuple[Incident | None, Any, Jurisdiction]:
        incident, warning = _target(request)
        jurisdiction = (incident or warning).jurisdiction
        if not permissions.can_command_response(request.user, jurisdiction):
            raise PermissionDenied(
                _("Only the emergency bureau of this jurisdiction starts a response.")
            )
        return incident, warning, jurisdiction

    def _page(
        self,
        request: HttpRequest,
        form: ActivateForm,
        incident: Incident | None,
        warning: Any,
        jurisdiction: Jurisdiction,
        status: int = 200,
    ) -> HttpResponse:
        active = (
            selectors.active_for_incident(incident)
            if incident is not None
            else selectors.active_for_warning(warning)
        )
        return render(
            request,
            "response/activate.html",
            {
                "form": form,
                "incident": incident,
                "warning": warning,
                "jurisdiction": jurisdiction,
                "active": active,
                "manuals": _manuals_for(jurisdiction),
            },
            status=status,
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        incident, warning, jurisdiction = self._load(request)
        form = ActivateForm(initial=_initial(incident, warning))
        return self._page(request, form, incident, warning, jurisdiction)

    def post(self, request: HttpRequest) -> HttpResponse:
        incident, warning, jurisdiction = self._load(request)
        form = ActivateForm(request.POST)
        if not form.is_valid():
            return self._page(request, form, incident, warning, jurisdiction, status=400)
        try:
            activation = services.activate_response(
                actor=request.user,
                hazard=form.cleaned_data["hazard"],
                level=form.cleaned_data["level"],
                incident_id=incident.pk if incident else None,
                warning_id=warning.pk if warning else None,
                reason=form.cleaned_data["reason"],
            )
        except DomainError as exc:
            raise_for(exc)
            form.add_domain_error(exc)
            return self._page(
                request, form, incident, warning, jurisdiction, status=exc.status_code
            )
        messages.success(
            request,
            _("%(level)s response started: each department has been sent its instructions.")
            % {"level": activation.get_level_display()},
        )
        return HttpResponseRedirect(reverse("response:board", args=[activation.pk]))


# --- the HQ page (response board) -------------------------------------------------------------


def _shown_phone(user: Any, seat: Seat) -> str:
    if not seat.phone or can_see_personal_data(user, seat.organisation_id):
        return seat.phone
    return mask_phone(seat.phone)


def _decorate(user: Any, instruction: ResponseInstruction, now: Any) -> ResponseInstruction:
    """What the page shows and offers for one instruction."""
    is_open = instruction.status in OPEN_INSTRUCTION_STATUSES
    instruction.is_open = is_open
    instruction.is_overdue = is_open and (instruction.overdue or instruction.due_at < now)
    instruction.was_late = instruction.status == InstructionStatus.DONE and instruction.overdue
    via = instruction.acknowledged_via
    instruction.via_label = CHANNELS.get(via, via) if via else ""
    works = is_open and permissions.can_work_instruction(user, instruction)
    on_behalf = works and instruction.department_id != user.organisation_id
    instruction.on_behalf = on_behalf
    instruction.can_acknowledge = works and instruction.status == InstructionStatus.SENT
    instruction.can_start = works and instruction.status == InstructionStatus.ACKNOWLEDGED
    # The service acknowledges an instruction done straight away.
    instruction.can_complete = works
    return instruction


def build_board(user: Any, activation: ResponseActivation) -> dict[str, Any]:
    """selectors.board (departments → instructions and seat, steps, seats, counts: a
    constant number of queries) with what this user is offered on each instruction and
    each seat, and how it sees the seated person's phone."""
    now = timezone.now()
    data = selectors.board(activation)
    by_department = {row.department.pk: row for row in data.departments}
    for row in data.departments:
        for instruction in row.instructions:
            _decorate(user, instruction, now)
    commands = permissions.can_command_response(user, activation.jurisdiction)
    is_active = activation.status == ActivationStatus.ACTIVE
    seats = [seat for seat in data.seats if seat.left_at is None]
    for seat in seats:
        seat.shown_phone = _shown_phone(user, seat)
        row = by_department.get(seat.organisation_id)
        seat.owes = row.owes if row is not None else []
        seat.may_leave = is_active and (commands or seat.organisation_id == user.organisation_id)
    cancelled = data.counts[InstructionStatus.CANCELLED]
    total = data.total - cancelled
    counts = {
        "total": total,
        "done": data.done,
        "open": data.open,
        "acknowledged": total - data.counts[InstructionStatus.SENT],
        "overdue": data.overdue,
        "cancelled": cancelled,
    }
    unseated = [row for row in data.departments if row.seat is None and row.open]
    return {
        "departments": data.departments,
        "seats": seats,
        "unseated": unseated,
        "steps": data.steps,
        "counts": counts,
        "now": now,
    }


def _seat_organisations(user: Any, activation: ResponseActivation) -> QuerySet[Organisation]:
    """Who may be seated by this user: any organisation of the response's jurisdiction
    for those who command it, else the user's own organisation."""
    seated = activation.seats.filter(left_at__isnull=True).values("organisation_id")
    if permissions.can_command_response(user, activation.jurisdiction):
        tasked = activation.instructions.values("department_id")
        return (
            Organisation.objects.filter(
                Q(pk__in=tasked)
                | Q(pk__in=manual_departments(activation.jurisdiction).values("pk"))
            )
            .exclude(pk__in=seated)
            .order_by("kind", "name")
        )
    if user.organisation_id is None:
        return Organisation.objects.none()
    return Organisation.objects.filter(pk=user.organisation_id).exclude(pk__in=seated)


def _board_page(
    request: HttpRequest,
    activation: ResponseActivation,
    *,
    level_form: LevelForm | None = None,
    end_form: EndForm | None = None,
    seat_form: SeatForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    is_active = activation.status == ActivationStatus.ACTIVE
    commands = is_active and permissions.can_command_response(user, activation.jurisdiction)
    seat_organisations = _seat_organisations(user, activation) if is_active else None
    may_seat = bool(is_active and seat_organisations is not None and seat_organisations.exists())
    if may_seat and seat_form is None:
        seat_form = SeatForm(organisations=seat_organisations)
    if commands and level_form is None:
        level_form = LevelForm(
            initial={"level": ""},
        )
        level_form.fields["level"].choices = [
            (value, label) for value, label in ResponseLevel.choices if value != activation.level
        ]
    return render(
        request,
        "response/board.html",
        {
            "activation": activation,
            "board": build_board(user, activation),
            "commands": commands,
            "level_form": level_form,
            "end_form": end_form or (EndForm() if commands else None),
            "seat_form": seat_form if may_seat else None,
            "is_active": is_active,
        },
        status=status,
    )


def _activation(request: HttpRequest, pk: int) -> ResponseActivation:
    activation = get_object_or_404(
        _visible(request.user).select_related(
            "jurisdiction", "incident", "warning", "activated_by", "ended_by"
        ),
        pk=pk,
    )
    if not permissions.can_read_response(request.user, activation):
        raise PermissionDenied(_("This response is not yours to follow."))
    return activation


class BoardView(ResponseRoleMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return _board_page(request, _activation(request, pk))


class BackToBoardOnGet:
    """A form posted here that failed is shown at this URL; the page's live refresh (and
    F5) then GET it: send them back to the board, which keeps updating."""

    def get(self, request: HttpRequest, pk: int, **kwargs: Any) -> HttpResponse:
        return HttpResponseRedirect(reverse("response:board", args=[pk]))


class LevelView(BackToBoardOnGet, ResponseRoleMixin, View):
    """Raise or lower the response, with a reason."""

    def allowed(self, user: Any) -> bool:
        return may_command(user)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        activation = _activation(request, pk)
        form = LevelForm(request.POST)
        if not form.is_valid():
            return _board_page(request, activation, level_form=form, status=400)
        try:
            changed = services.change_level(
                actor=request.user,
                activation_id=activation.pk,
                level=form.cleaned_data["level"],
                reason=form.cleaned_data["reason"],
            )
        except DomainError as exc:
            raise_for(exc)
            form.add_domain_error(exc)
            return _board_page(request, activation, level_form=form, status=exc.status_code)
        messages.success(
            request, _("The response is now %(level)s.") % {"level": changed.get_level_display()}
        )
        return HttpResponseRedirect(reverse("response:board", args=[activation.pk]))


class EndView(BackToBoardOnGet, ResponseRoleMixin, View):
    """End the response, with a reason: open instructions are cancelled, seats left."""

    def allowed(self, user: Any) -> bool:
        return may_command(user)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        activation = _activation(request, pk)
        form = EndForm(request.POST)
        if not form.is_valid():
            return _board_page(request, activation, end_form=form, status=400)
        try:
            services.end_response(
                actor=request.user, activation_id=activation.pk, reason=form.cleaned_data["reason"]
            )
        except DomainError as exc:
            raise_for(exc)
            form.add_domain_error(exc)
            return _board_page(request, activation, end_form=form, status=exc.status_code)
        messages.success(request, _("The response has ended."))
        return HttpResponseRedirect(reverse("response:board", args=[activation.pk]))


class SeatJoinView(BackToBoardOnGet, ResponseRoleMixin, View):
    """A department takes its seat (席位) in the HQ: who sits there and how to reach them."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        activation = _activation(request, pk)
        organisations = _seat_organisations(request.user, activation)
        form = SeatForm(request.POST, organisations=organisations)
        if not form.is_valid():
            return _board_page(request, activation, seat_form=form, status=400)
        try:
            services.join_seat(
                actor=request.user,
                activation_id=activation.pk,
                organisation_id=form.cleaned_data["organisation"].pk,
                person=form.cleaned_data["person"],
                phone=form.cleaned_data["phone"],
            )
        except DomainError as exc:
            raise_for(exc)
            form.add_domain_error(exc)
            return _board_page(request, activation, seat_form=form, status=exc.status_code)
        messages.success(request, _("Seat taken."))
        return HttpResponseRedirect(reverse("response:board", args=[activation.pk]) + "#seats")


class SeatLeaveView(ResponseRoleMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        seat = get_object_or_404(Seat.objects.visible_to(request.user), pk=pk)
        return HttpResponseRedirect(reverse("response:board", args=[seat.activation_id]))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        seat = get_object_or_404(Seat.objects.visible_to(request.user), pk=pk)
        activation = _activation(request, seat.activation_id)
        try:
            services.leave_seat(actor=request.user, seat_id=seat.pk)
        except DomainError as exc:
            raise_for(exc)
            messages.error(request, exc.detail)
            return _board_page(request, activation, status=exc.status_code)
        messages.success(request, _("Seat left."))
        return HttpResponseRedirect(reverse("response:board", args=[activation.pk]) + "#seats")


# --- instructions: a department's page, one instruction, its actions ----------------------------


def _instruction(request: HttpRequest, pk: int) -> ResponseInstruction:
    """An instruction the user may see: of a response it reads, or of its department."""
    user = request.user
    instruction = get_object_or_404(
        ResponseInstruction.objects.select_related(
            "activation__jurisdiction",
            "activation__incident",
            "activation__warning",
            "department",
            "done_by",
        ).filter(
            Q(activation__in=_visible(user).values("pk"))
            | Q(pk__in=selectors.department_instructions(user).values("pk"))
        ),
        pk=pk,
    )
    if not (
        permissions.can_read_response(user, instruction.activation)
        or permissions.can_work_instruction(user, instruction)
    ):
        raise PermissionDenied(_("This instruction is not yours to follow."))
    return instruction


class DepartmentInstructionsView(ResponseRoleMixin, View):
    """ "Our instructions": what the user's department was sent, open ones first; each
    acknowledged, started and completed with a report here (it works on a phone)."""

    def allowed(self, user: Any) -> bool:
        return may_work_instructions(user)

    def get(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        now = timezone.now()
        rows = [
            _decorate(user, i, now)
            for i in selectors.department_instructions(user)
            .select_related(
                "activation__jurisdiction",
                "activation__incident",
                "activation__warning",
                "department",
                "done_by",
            )
            .order_by("due_at", "id")
        ]
        open_rows = [i for i in rows if i.is_open]
        closed = [i for i in rows if not i.is_open]
        closed.sort(key=lambda i: i.done_at or i.updated_at, reverse=True)
        return render(
            request,
            "response/instructions.html",
            {
                "open_rows": open_rows,
                "closed_page": Paginator(closed, PAGE_SIZE).get_page(request.GET.get("page")),
                "overdue": sum(i.is_overdue for i in open_rows),
                "complete_form": CompleteForm(),
            },
        )


def _instruction_page(
    request: HttpRequest,
    instruction: ResponseInstruction,
    *,
    form: CompleteForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    _decorate(request.user, instruction, timezone.now())
    return render(
        request,
        "response/instruction.html",
        {
            "instruction": instruction,
            "activation": instruction.activation,
            "complete_form": form or CompleteForm(),
            "error": error,
            "next": _next_url(request, ""),
            "may_open_board": permissions.can_read_response(request.user, instruction.activation),
        },
        status=status,
    )


class InstructionView(ResponseRoleMixin, View):
    def allowed(self, user: Any) -> bool:
        return may_open(user) or may_work_instructions(user)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return _instruction_page(request, _instruction(request, pk))


class InstructionActionView(ResponseRoleMixin, View):
    """acknowledge, start, complete (with a report). Back to the page it came from."""

    def allowed(self, user: Any) -> bool:
        return may_work_instructions(user)

    def get(self, request: HttpRequest, pk: int, action: str) -> HttpResponse:
        # After a refused form shown here, a refresh goes back to the instruction's page.
        return HttpResponseRedirect(reverse("response:instruction_detail", args=[pk]))

    def post(self, request: HttpRequest, pk: int, action: str) -> HttpResponse:
        if action not in INSTRUCTION_ACTIONS:
            raise Http404(_("No such action."))
        instruction = _instruction(request, pk)
        form = None
        try:
            if action == "acknowledge":
                services.acknowledge_instruction(actor=request.user, instruction_id=instruction.pk)
                done = _("Acknowledged.")
            elif action == "start":
                services.start_instruction(actor=request.user, instruction_id=instruction.pk)
                done = _("Started.")
            else:
                form = CompleteForm(request.POST)
                if not form.is_valid():
                    return _instruction_page(request, instruction, form=form, status=400)
                services.complete_instruction(
                    actor=request.user,
                    instruction_id=instruction.pk,
                    report=form.cleaned_data["report"],
                )
                done = _("Done: the report is on the HQ page.")
        except DomainError as exc:
            raise_for(exc)
            if form is not None:
                form.add_domain_error(exc)
            instruction.refresh_from_db()
            return _instruction_page(
                request,
                instruction,
                form=form,
                error="" if form is not None else exc.detail,
                status=exc.status_code,
            )
        messages.success(request, done)
        return HttpResponseRedirect(
            _next_url(request, reverse("response:instruction_detail", args=[instruction.pk]))
        )


urlpatterns = [
    path("", ActivationListView.as_view(), name="activation_list"),
    path("activate/", ActivateView.as_view(), name="activate"),
    path("<int:pk>/", BoardView.as_view(), name="board"),
    path("<int:pk>/level/", LevelView.as_view(), name="change_level"),
    path("<int:pk>/end/", EndView.as_view(), name="end"),
    path("<int:pk>/seats/", SeatJoinView.as_view(), name="seat_join"),
    path("seats/<int:pk>/leave/", SeatLeaveView.as_view(), name="seat_leave"),
    path("instructions/", DepartmentInstructionsView.as_view(), name="department_instructions"),
    path("instructions/<int:pk>/", InstructionView.as_view(), name="instruction_detail"),
    path(
        "instructions/<int:pk>/<str:action>/",
        InstructionActionView.as_view(),
        name="instruction_action",
    ),
]
