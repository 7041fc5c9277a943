"""Requisition pages: the list (index of 紧急调用/征用), the request form (from an incident),
the detail with hand-over, return and cancel forms, and the printable 征用凭证. Every write
goes through ``services``; a page only decides what to offer. Outside the reader's reach a
requisition is 404, the wrong role 403."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from command.choices import IncidentStatus
from command.models import Incident
from core.exceptions import DomainError
from core.web import RoleRequiredMixin, raise_for
from support.choices import REQUISITION_TRANSITIONS, RequisitionStatus
from support.models import Requisition
from support.requisition import permissions, selectors, services
from support.requisition.forms import CancelForm, HandoverForm, RequisitionForm, ReturnForm

PAGE_SIZE = 25


class RequisitionMixin(RoleRequiredMixin):
    def allowed(self, user: Any) -> bool:
        return permissions.opens_requisitions(user)


def _requisition(user: Any, pk: int) -> Requisition:
    requisition = selectors.visible_requisitions(user).filter(pk=pk).first()
    if requisition is None:
        raise Http404
    return requisition


class RequisitionListView(RequisitionMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        qs = selectors.visible_requisitions(request.user)
        status = request.GET.get("status", "")
        if status in RequisitionStatus.values:
            qs = qs.filter(status=status)
        incident = request.GET.get("incident", "")
        if incident.isdigit():
            qs = qs.filter(incident_id=int(incident))
        page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
        return render(
            request,
            "support/requisition/list.html",
            {
                "page": page,
                "status": status,
                "statuses": RequisitionStatus.choices,
                "query": f"status={status}" if status else "",
            },
        )


class RequisitionCreateView(RequisitionMixin, View):
    def _incident(self, request: HttpRequest) -> Incident:
        raw = request.GET.get("incident") or request.POST.get("incident") or ""
        incident = (
            Incident.objects.visible_to(request.user)
            .select_related("jurisdiction")
            .filter(pk=int(raw) if raw.isdigit() else 0)
            .first()
        )
        if incident is None:
            raise Http404
        if not permissions.can_request(request.user, incident.jurisdiction):
            raise PermissionDenied
        return incident

    def _render(self, request, incident, form) -> HttpResponse:
        return render(
            request,
            "support/requisition/form.html",
            {"form": form, "incident": incident, "closed": incident.status != IncidentStatus.OPEN},
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        incident = self._incident(request)
        form = RequisitionForm(jurisdiction=incident.jurisdiction)
        return self._render(request, incident, form)

    def post(self, request: HttpRequest) -> HttpResponse:
        incident = self._incident(request)
        form = RequisitionForm(request.POST, jurisdiction=incident.jurisdiction)
        if form.is_valid():
            try:
                requisition = services.request_requisition(
                    actor=request.user, incident_id=incident.pk, data=form.cleaned_data
                )
            except DomainError as exc:
                raise_for(exc)
                form.add_domain_error(exc)
            else:
                messages.success(
                    request, _("Requisition %(n)s sent to the owner.") % {"n": requisition.number}
                )
                return HttpResponseRedirect(
                    reverse("support:requisition_detail", args=[requisition.pk])
                )
        return self._render(request, incident, form)


def _detail_context(user: Any, requisition: Requisition, **forms_: Any) -> dict[str, Any]:
    allowed = REQUISITION_TRANSITIONS[requisition.status]
    may_record = permissions.can_record(user, requisition)
    requisition.owner_phone_shown = permissions.owner_phone_for(user, requisition)
    return {
        "r": requisition,
        "handover_form": forms_.get("handover_form")
        or (
            HandoverForm(prefix="handover")
            if may_record and RequisitionStatus.HANDED_OVER in allowed
            else None
        ),
        "return_form": forms_.get("return_form")
        or (
            ReturnForm(prefix="return")
            if may_record and RequisitionStatus.RETURNED in allowed
            else None
        ),
        "cancel_form": forms_.get("cancel_form")
        or (
            CancelForm(prefix="cancel")
            if permissions.can_cancel(user, requisition) and RequisitionStatus.CANCELLED in allowed
            else None
        ),
        "claim": getattr(requisition, "compensation_claim", None),
        "may_claim": requisition.status == RequisitionStatus.RETURNED
        and not hasattr(requisition, "compensation_claim"),
    }


class RequisitionDetailView(RequisitionMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        requisition = _requisition(request.user, pk)
        return render(
            request,
            "support/requisition/detail.html",
            _detail_context(request.user, requisition),
        )


ACTIONS = {
    "handover": (HandoverForm, "handover_form"),
    "return": (ReturnForm, "return_form"),
    "cancel": (CancelForm, "cancel_form"),
}


class RequisitionActionView(RequisitionMixin, View):
    def post(self, request: HttpRequest, pk: int, action: str) -> HttpResponse:
        if action not in ACTIONS:
            raise Http404
        requisition = _requisition(request.user, pk)
        form_class, name = ACTIONS[action]
        form = form_class(request.POST, prefix=action)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if action == "handover":
                    services.record_handover(
                        actor=request.user,
                        requisition_id=pk,
                        at=data["at"],
                        condition=data["condition"],
                    )
                elif action == "return":
                    services.record_return(
                        actor=request.user,
                        requisition_id=pk,
                        at=data["at"],
                        condition=data["condition"],
                        damage=data["damage"],
                    )
                else:
                    services.cancel_requisition(
                        actor=request.user, requisition_id=pk, reason=data["reason"]
                    )
            except DomainError as exc:
                raise_for(exc)
                form.add_domain_error(exc)
            else:
                return HttpResponseRedirect(reverse("support:requisition_detail", args=[pk]))
        context = _detail_context(request.user, requisition, **{name: form})
        return render(request, "support/requisition/detail.html", context, status=400)


class RequisitionPrintView(RequisitionMixin, View):
    """The 征用凭证 handed to the owner: what, from whom, for how long, signatures."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        requisition = _requisition(request.user, pk)
        requisition.owner_phone_shown = permissions.owner_phone_for(request.user, requisition)
        return render(request, "support/requisition/print.html", {"r": requisition})
