"""Cross-region reinforcement pages: list, request, detail, decision."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Case, IntegerField, Value, When
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from command.choices import IncidentStatus
from command.models import Incident
from core.exceptions import DomainError, ValidationFailed
from core.web import RoleRequiredMixin, raise_for
from dispatch import permissions, services
from dispatch.choices import ReinforcementStatus
from dispatch.forms import (
    ReinforcementDecisionForm,
    ReinforcementRequestForm,
)
from dispatch.models import (
    CallOutPlan,
    ReinforcementRequest,
)
from dispatch.views.base import _page


def _reinforcement_url(request_obj: ReinforcementRequest) -> str:
    return reverse("dispatch:reinforcement_detail", args=[request_obj.pk])


def _reinforcement_queryset(user: Any):
    return ReinforcementRequest.objects.visible_to(user).select_related(
        "incident__incident_type",
        "incident__jurisdiction",
        "requesting_jurisdiction",
        "upper_jurisdiction",
        "requested_by",
        "decided_by",
    )


class ReinforcementListView(RoleRequiredMixin, View):
    def allowed(self, user: Any) -> bool:
        return user.has_perm("dispatch.view_reinforcementrequest")

    def get(self, request: HttpRequest) -> HttpResponse:
        qs = (
            _reinforcement_queryset(request.user)
            .annotate(
                waiting=Case(
                    When(status=ReinforcementStatus.REQUESTED, then=Value(0)),
                    default=Value(1),
                    output_field=IntegerField(),
                )
            )
            .order_by("waiting", "-requested_at", "-id")
        )
        page, query = _page(request, qs)
        return render(request, "dispatch/reinforcement_list.html", {"page": page, "query": query})


class ReinforcementCreateView(RoleRequiredMixin, View):
    """The same-level bureau applies to the upper level (Liaocheng §三.一.2)."""

    def allowed(self, user: Any) -> bool:
        return permissions.may_request_reinforcement(user)

    def _incident(self, request: HttpRequest, incident_pk: int) -> Incident:
        return get_object_or_404(
            Incident.objects.visible_to(request.user).select_related("jurisdiction"),
            pk=incident_pk,
        )

    def _render(self, request, incident, form, status=200) -> HttpResponse:
        return render(
            request,
            "dispatch/reinforcement_form.html",
            {"incident": incident, "form": form, "upper": request.user.jurisdiction.parent},
            status=status,
        )

    def get(self, request: HttpRequest, incident_pk: int) -> HttpResponse:
        incident = self._incident(request, incident_pk)
        return self._render(request, incident, ReinforcementRequestForm())

    def post(self, request: HttpRequest, incident_pk: int) -> HttpResponse:
        incident = self._incident(request, incident_pk)
        form = ReinforcementRequestForm(request.POST)
        if form.is_valid():
            try:
                created = services.request_reinforcement(
                    actor=request.user,
                    incident_id=incident.pk,
                    needs=form.cleaned_data["needs"],
                    reason=form.cleaned_data["reason"],
                )
                messages.success(request, _("Reinforcement requested from the upper level."))
                return HttpResponseRedirect(_reinforcement_url(created))
            except DomainError as exc:
                raise_for(exc)
                form.add_domain_error(exc)
        return self._render(request, incident, form, status=400)


def _reinforcement_detail(
    request: HttpRequest,
    request_obj: ReinforcementRequest,
    *,
    decision_form: ReinforcementDecisionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    requested = request_obj.status == ReinforcementStatus.REQUESTED
    plans = (
        CallOutPlan.objects.visible_to(user)
        .filter(reinforcement=request_obj)
        .select_related("jurisdiction", "drafted_by")
    )
    context = {
        "request_obj": request_obj,
        "incident": request_obj.incident,
        "plans": list(plans),
        "can_decide": requested and permissions.may_decide_reinforcement(user, request_obj),
        "can_draft_plan": request_obj.status == ReinforcementStatus.APPROVED
        and request_obj.incident.status == IncidentStatus.OPEN
        and permissions.may_draft_reinforcement_plan(user, request_obj),
        "decision_form": decision_form or ReinforcementDecisionForm(),
    }
    return render(request, "dispatch/reinforcement_detail.html", context, status=status)


class ReinforcementDetailView(RoleRequiredMixin, View):
    def allowed(self, user: Any) -> bool:
        return user.has_perm("dispatch.view_reinforcementrequest")

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        request_obj = get_object_or_404(_reinforcement_queryset(request.user), pk=pk)
        return _reinforcement_detail(request, request_obj)


class ReinforcementDecideView(RoleRequiredMixin, View):
    """The upper-level bureau approves or rejects (a rejection needs a reason)."""

    def allowed(self, user: Any) -> bool:
        return user.has_perm("dispatch.view_reinforcementrequest")

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        request_obj = get_object_or_404(_reinforcement_queryset(request.user), pk=pk)
        form = ReinforcementDecisionForm(request.POST)
        if not form.is_valid():
            return _reinforcement_detail(request, request_obj, decision_form=form, status=400)
        try:
            services.decide_reinforcement(
                actor=request.user,
                request_id=request_obj.pk,
                approve=form.cleaned_data["decision"] == "approve",
                reason=form.cleaned_data["decision_reason"],
            )
            messages.success(request, _("Decision recorded."))
        except DomainError as exc:
            raise_for(exc)
            if isinstance(exc, ValidationFailed):
                form.add_domain_error(exc)
                return _reinforcement_detail(request, request_obj, decision_form=form, status=400)
            messages.error(request, exc.detail)
        return HttpResponseRedirect(_reinforcement_url(request_obj))
