"""Incident pages (SPEC §3). Lists and details are scoped with ``visible_to``; every write
binds a form and calls one service in ``command.services``; buttons are shown with the
predicates the services use, and the POST still goes through the service."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Case, Count, IntegerField, Prefetch, Value, When
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views import View

from command import closing, selectors, services
from command.choices import Disposition, IncidentStatus
from command.forms import (
    CloseForm,
    HandOverForm,
    HotlineReplyForm,
    HotlineTransferForm,
    IncidentFilterForm,
    IncidentForm,
    MaritimeForm,
    NoteForm,
    ReassessForm,
)
from command.models import HotlineTransfer, Incident
from core import web
from core.exceptions import DomainError
from core.masking import mask_phone
from core.permissions import can_see_personal_data
from core.web import raise_for
from dispatch import permissions as dispatch_permissions
from dispatch import selectors as dispatch_selectors
from dispatch.models import CallOutOrder, CallOutPlan, PlanLine, ReinforcementRequest
from dispatch.permissions import is_fire_dispatcher_of

PAGE_SIZE = 25


class RoleRequiredMixin(web.RoleRequiredMixin):
    """The incident pages: the incident readers (``core.visibility``) and the accounts
    of a unit an incident was handed to (its incidents only), unless a view says
    otherwise."""

    def allowed(self, user: Any) -> bool:
        return selectors.can_open_incident_pages(user)


def map_config(user: Any, incident: Incident | None = None) -> dict[str, Any]:
    """The incident form's map: tiles from MAP_TILE_URL, or the jurisdiction's outline
    (static/geo) when no tile server is configured."""
    from django.conf import settings
    from django.contrib.staticfiles import finders
    from django.contrib.staticfiles.storage import staticfiles_storage
    from django.templatetags.static import static

    jurisdiction = incident.jurisdiction if incident else user.jurisdiction
    outline = ""
    if jurisdiction is not None:
        for code in reversed(jurisdiction.ancestors_and_self()):
            name = f"geo/{code}.geojson"
            if finders.find(name) or staticfiles_storage.exists(name):
                outline = static(name)
                break
    center = [36.84, 115.71]
    if jurisdiction is not None and jurisdiction.latitude and jurisdiction.longitude:
        center = [float(jurisdiction.latitude), float(jurisdiction.longitude)]
    return {
        "center": center,
        "outlineUrl": outline,
        "jurisdiction": jurisdiction.code if jurisdiction else "",
        "tileUrl": settings.MAP_TILE_URL,
        "tileAttribution": settings.MAP_TILE_ATTRIBUTION,
    }


class IncidentListView(RoleRequiredMixin, View):
    """Open incidents first, then the newest; filters by status, level and type."""

    def get(self, request: HttpRequest) -> HttpResponse:
        form = IncidentFilterForm(request.GET or None)
        qs = (
            selectors.readable_incidents(request.user)
            .select_related("incident_type", "jurisdiction")
            .annotate(
                open_first=Case(
                    When(status=IncidentStatus.OPEN, then=Value(0)),
                    default=Value(1),
                    output_field=IntegerField(),
                ),
                plan_count=Count("plans", distinct=True),
            )
            .order_by("open_first", "-received_at", "-id")
        )
        page = Paginator(form.filter(qs), PAGE_SIZE).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        context = {
            "filter_form": form,
            "page": page,
            "query": query.urlencode(),
            "can_create": services.can_record_incidents(request.user),
        }
        template = "command/_incident_rows.html" if request.htmx else "command/incident_list.html"
        return render(request, template, context)


class IncidentDetailView(RoleRequiredMixin, View):
    """The incident, its plans, orders and reinforcement requests, and its timeline."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        user = request.user
        incident = get_object_or_404(
            selectors.readable_incidents(user).select_related(
                "incident_type",
                "jurisdiction",
                "reported_by",
                "first_receiver",
                "handling_unit",
            ),
            pk=pk,
        )
        is_open = incident.status == IncidentStatus.OPEN
        in_flow = selectors.in_emergency_flow(incident)
        plans = orders = reinforcements = None
        if user.has_perm("dispatch.view_calloutplan"):
            plans = list(
                CallOutPlan.objects.visible_to(user)
                .filter(incident=incident)
                .select_related("jurisdiction", "drafted_by", "reinforcement")
                .prefetch_related(
                    Prefetch("lines", queryset=PlanLine.objects.select_related("force"))
                )
            )
        if user.has_perm("dispatch.view_calloutorder"):
            orders = [
                (order, dispatch_selectors.overdue_steps(order))
                for order in CallOutOrder.objects.visible_to(user)
                .filter(plan__incident=incident)
                .select_related("force", "plan__jurisdiction")
            ]
        if user.has_perm("dispatch.view_reinforcementrequest"):
            reinforcements = list(
                ReinforcementRequest.objects.visible_to(user)
                .filter(incident=incident)
                .select_related("requesting_jurisdiction", "upper_jurisdiction", "requested_by")
            )
        can_record = services.can_record_incidents(user) and services.visibility_in(user, incident)
        context = {
            "incident": incident,
            **intake_context(request, incident),
            "plans": plans,
            "orders": orders,
            "reinforcements": reinforcements,
            "timeline": dispatch_selectors.incident_timeline(incident),
            "can_edit": is_open and can_record,
            "can_close": is_open
            and services.can_close_incidents(user)
            and services.visibility_in(user, incident),
            "can_draft_plan": in_flow
            and user.jurisdiction is not None
            and is_fire_dispatcher_of(user, user.jurisdiction),
            "can_request_reinforcement": in_flow
            and dispatch_permissions.may_request_reinforcement(user),
        }
        return render(request, "command/incident_detail.html", context)


class IncidentFormView(RoleRequiredMixin, View):
    """Record (no pk) or update (pk) an incident: duty officers, fire dispatchers and
    administrators."""

    def allowed(self, user: Any) -> bool:
        return services.can_record_incidents(user)

    def _incident(self, request: HttpRequest, pk: int | None) -> Incident | None:
        if pk is None:
            return None
        return get_object_or_404(Incident.objects.visible_to(request.user), pk=pk)

    def _render(self, request, form, incident, status=200) -> HttpResponse:
        return render(
            request,
            "command/incident_form.html",
            {"form": form, "incident": incident, "map_config": map_config(request.user, incident)},
            status=status,
        )

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        incident = self._incident(request, pk)
        return self._render(request, IncidentForm(instance=incident, user=request.user), incident)

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        incident = self._incident(request, pk)
        form = IncidentForm(request.POST, instance=incident, user=request.user)
        if form.is_valid():
            try:
                if incident is None:
                    incident = services.create_incident(
                        actor=request.user, data=form.service_data()
                    )
                    messages.success(request, _("Incident recorded."))
                else:
                    services.update_incident(
                        actor=request.user, incident_id=incident.pk, data=form.service_data()
                    )
                    messages.success(request, _("Changes saved."))
                return HttpResponseRedirect(incident.get_absolute_url())
            except DomainError as exc:
                raise_for(exc)
                form.add_domain_error(exc)
        return self._render(request, form, incident, status=400)


def intake_context(request: HttpRequest, incident: Incident) -> dict[str, Any]:
    """The intake sections of the incident page (templates/command/incident/_intake.html):
    caller (number masked unless the receiving unit or an administrator reads it),
    disposition, 12345 work order, hand-overs, notes reported back, level assessments,
    and the forms of the steps the user may take."""
    user = request.user
    is_open = incident.status == IncidentStatus.OPEN
    directs = (
        is_open and services.can_direct_incidents(user) and services.visibility_in(user, incident)
    )
    in_flow = selectors.in_emergency_flow(incident)
    transfer = (
        HotlineTransfer.objects.select_related("hotline", "transferred_by", "reply_recorded_by")
        .filter(incident=incident)
        .first()
    )
    phone = incident.callback_phone
    if phone and not can_see_personal_data(user, incident.first_receiver_id):
        phone = mask_phone(phone)
    open_work = closing.open_work(incident) if is_open else []
    return {
        "callback_phone_shown": phone,
        "hotline_transfer": transfer,
        "handovers": list(incident.handovers.select_related("from_unit", "to_unit", "recorded_by")),
        "notes": list(incident.notes.select_related("organisation", "author")),
        "assessments": list(incident.assessments.select_related("assessed_by")),
        "open_work": open_work,
        "can_transfer_to_hotline": directs and in_flow,
        "can_record_hotline_reply": directs
        and transfer is not None
        and transfer.replied_at is None,
        "can_hand_over": directs and incident.disposition == Disposition.EMERGENCY,
        "can_hand_to_maritime": directs and in_flow,
        "can_reassess": is_open
        and services.can_record_incidents(user)
        and services.visibility_in(user, incident),
        "can_add_note": is_open and services.can_add_note(user, incident),
        "hotline_form": HotlineTransferForm(auto_id="hotline_%s"),
        "reply_form": HotlineReplyForm(auto_id="hotline_reply_%s"),
        "handover_form": HandOverForm(incident=incident, auto_id="handover_%s")
        if directs
        else None,
        "maritime_form": MaritimeForm(auto_id="maritime_%s"),
        "maritime_centre": selectors.maritime_centre_of(incident.jurisdiction)
        if directs and in_flow
        else None,
        "note_form": NoteForm(auto_id="note_%s"),
        "reassess_form": ReassessForm(initial={"level": incident.level}, auto_id="reassess_%s"),
        "close_form": CloseForm(auto_id="close_%s"),
    }


class IncidentStepView(RoleRequiredMixin, View):
    """One intake step posted from the incident page: bind its form, call its service,
    go back to the page with a message (the service's refusal shown as it says)."""

    form_class: type = NoteForm
    done = ""

    def form(self, request: HttpRequest, incident: Incident):
        return self.form_class(request.POST)

    def call(self, user: Any, incident: Incident, data: dict[str, Any]) -> None:
        raise NotImplementedError

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        incident = get_object_or_404(selectors.readable_incidents(request.user), pk=pk)
        form = self.form(request, incident)
        if not form.is_valid():
            # The step forms are small and live on the incident page: each error names
            # its field, so "this field is required" says which one.
            for name, errors in form.errors.items():
                field = form.fields.get(name)
                for error in errors:
                    if field is not None and field.label:
                        messages.error(
                            request,
                            _("%(field)s: %(error)s") % {"field": field.label, "error": error},
                        )
                    else:
                        messages.error(request, error)
            return HttpResponseRedirect(incident.get_absolute_url())
        try:
            self.call(request.user, incident, form.cleaned_data)
            messages.success(request, self.done)
        except DomainError as exc:
            raise_for(exc)
            messages.error(request, exc.detail)
            lines = (exc.errors or {}).get("open_work") if isinstance(exc.errors, dict) else None
            for line in lines or []:
                messages.warning(request, line)
        return HttpResponseRedirect(incident.get_absolute_url())


class IncidentCloseView(IncidentStepView):
    form_class = CloseForm

    def allowed(self, user: Any) -> bool:
        return services.can_close_incidents(user)

    def call(self, user, incident, data) -> None:
        services.close_incident(
            actor=user,
            incident_id=incident.pk,
            end_open_work=data["end_open_work"],
            reason=data["reason"],
        )
        self.done = _("Incident closed.")


class HotlineTransferView(IncidentStepView):
    form_class = HotlineTransferForm

    def allowed(self, user: Any) -> bool:
        return services.can_direct_incidents(user)

    def call(self, user, incident, data) -> None:
        services.transfer_to_hotline(actor=user, incident_id=incident.pk, **data)
        self.done = _("Transferred to the 12345 hotline.")


class HotlineReplyView(IncidentStepView):
    form_class = HotlineReplyForm

    def allowed(self, user: Any) -> bool:
        return services.can_direct_incidents(user)

    def call(self, user, incident, data) -> None:
        services.record_hotline_reply(actor=user, incident_id=incident.pk, **data)
        self.done = _("The hotline's reply is recorded.")


class HandOverView(IncidentStepView):
    def allowed(self, user: Any) -> bool:
        return services.can_direct_incidents(user)

    def form(self, request, incident):
        return HandOverForm(request.POST, incident=incident)

    def call(self, user, incident, data) -> None:
        services.hand_over(
            actor=user, incident_id=incident.pk, to_unit_id=data["to_unit"].pk, note=data["note"]
        )
        self.done = _("Handed over.")


class MaritimeView(IncidentStepView):
    form_class = MaritimeForm

    def allowed(self, user: Any) -> bool:
        return services.can_direct_incidents(user)

    def call(self, user, incident, data) -> None:
        services.hand_to_maritime(actor=user, incident_id=incident.pk, note=data["note"])
        self.done = _("Handed to the maritime search-and-rescue centre.")


class NoteView(IncidentStepView):
    form_class = NoteForm

    def call(self, user, incident, data) -> None:
        services.add_note(actor=user, incident_id=incident.pk, text=data["text"])
        self.done = _("Progress reported.")


class ReassessView(IncidentStepView):
    form_class = ReassessForm

    def allowed(self, user: Any) -> bool:
        return services.can_record_incidents(user)

    def call(self, user, incident, data) -> None:
        services.reassess_incident(
            actor=user, incident_id=incident.pk, level=data["level"], reason=data["reason"]
        )
        self.done = _("Level re-assessed.")
