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

from command import services
from command.choices import IncidentStatus
from command.forms import IncidentFilterForm, IncidentForm
from command.models import Incident
from core import visibility, web
from core.exceptions import DomainError
from core.web import raise_for
from dispatch import permissions as dispatch_permissions
from dispatch import selectors as dispatch_selectors
from dispatch.models import CallOutOrder, CallOutPlan, PlanLine, ReinforcementRequest
from dispatch.permissions import is_fire_dispatcher_of

PAGE_SIZE = 25


class RoleRequiredMixin(web.RoleRequiredMixin):
    """The incident pages: the incident readers (``core.visibility``), unless a view
    says otherwise."""

    def allowed(self, user: Any) -> bool:
        return visibility.can_read_incidents(user)


class IncidentListView(RoleRequiredMixin, View):
    """Open incidents first, then the newest; filters by status, level and type."""

    def get(self, request: HttpRequest) -> HttpResponse:
        form = IncidentFilterForm(request.GET or None)
        qs = (
            Incident.objects.visible_to(request.user)
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
            Incident.objects.visible_to(user).select_related(
                "incident_type", "jurisdiction", "reported_by"
            ),
            pk=pk,
        )
        is_open = incident.status == IncidentStatus.OPEN
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
        can_record = services.can_record_incidents(user)
        context = {
            "incident": incident,
            "plans": plans,
            "orders": orders,
            "reinforcements": reinforcements,
            "timeline": dispatch_selectors.incident_timeline(incident),
            "can_edit": is_open and can_record,
            "can_close": is_open and services.can_close_incidents(user),
            "can_draft_plan": is_open
            and user.jurisdiction is not None
            and is_fire_dispatcher_of(user, user.jurisdiction),
            "can_request_reinforcement": is_open
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
            {"form": form, "incident": incident},
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


class IncidentCloseView(RoleRequiredMixin, View):
    def allowed(self, user: Any) -> bool:
        return services.can_close_incidents(user)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        incident = get_object_or_404(Incident.objects.visible_to(request.user), pk=pk)
        try:
            services.close_incident(actor=request.user, incident_id=incident.pk)
            messages.success(request, _("Incident closed."))
        except DomainError as exc:
            raise_for(exc)
            messages.error(request, exc.detail)
        return HttpResponseRedirect(incident.get_absolute_url())
