"""Allocation pages (调拨): the list, the request form with its lines, the request's page
with its steps and the buttons of the step each person may take, and a printable 调拨单.

Every write goes through support.allocation.services; outside the user's reach a
request is 404, the wrong role 403 (core.web); a refused step (409, e.g. not enough
stock) is shown on the page, naming the line."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views import View

from command.models import Incident
from core.admin_labels import event_type_label
from core.bounds import MAX_INT
from core.exceptions import DomainError
from core.models import Event
from core.web import RoleRequiredMixin, raise_for
from support.allocation import permissions, selectors, services
from support.allocation.forms import (
    AllocationForm,
    LineFormSet,
    NoteForm,
    ReasonForm,
    source_choices,
)
from support.choices import CAPACITY_KINDS, AllocationStatus
from support.models import AllocationRequest

PAGE_SIZE = 50


class ReaderMixin(RoleRequiredMixin):
    def allowed(self, user: Any) -> bool:
        return permissions.can_read_allocations(user)


def _allocation(request: HttpRequest, pk: int) -> AllocationRequest:
    found = selectors.allocation_detail(request.user, pk)
    if found is None:
        raise Http404(_("No such allocation."))
    return found


class AllocationListView(ReaderMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        rows = selectors.visible_allocations(request.user)
        status = request.GET.get("status", "")
        if status in AllocationStatus.values:
            rows = rows.filter(status=status)
        elif status == "open":
            rows = rows.exclude(
                status__in=[
                    AllocationStatus.RECEIVED,
                    AllocationStatus.REJECTED,
                    AllocationStatus.CANCELLED,
                ]
            )
        incident_id = request.GET.get("incident", "")
        if incident_id.isdigit() and int(incident_id) <= MAX_INT:
            rows = rows.filter(incident_id=int(incident_id))
        own = request.user.jurisdiction
        return render(
            request,
            "support/allocation/list.html",
            {
                "allocations": list(rows[:PAGE_SIZE]),
                "statuses": AllocationStatus.choices,
                "status": status,
                "may_request": request.user.is_superuser
                or (own is not None and permissions.can_request(request.user, own)),
            },
        )


def _incident_for(request: HttpRequest, incident_id: Any) -> Incident | None:
    if not incident_id or not str(incident_id).isdigit():
        return None
    if int(incident_id) > MAX_INT:
        raise Http404(_("No such incident."))
    incident = Incident.objects.select_related("jurisdiction").filter(pk=incident_id).first()
    user = request.user
    own = user.jurisdiction
    if incident is None or not (
        user.is_superuser or (own is not None and own.contains(incident.jurisdiction))
    ):
        raise Http404(_("No such incident."))
    return incident


class AllocationFormView(ReaderMixin, View):
    """A new request (?incident=<id>), or a draft changed. "Save and submit" submits it
    at once."""

    def _context(self, request, form, formset, incident, allocation, status=200):
        return render(
            request,
            "support/allocation/form.html",
            {"form": form, "formset": formset, "incident": incident, "allocation": allocation},
            status=status,
        )

    def _existing(self, request: HttpRequest, pk: int | None) -> AllocationRequest | None:
        if pk is None:
            return None
        allocation = _allocation(request, pk)
        if not permissions.can_work_request(request.user, allocation):
            raise PermissionDenied(_("You may not change this allocation."))
        if allocation.status != AllocationStatus.DRAFT:
            raise PermissionDenied(_("Only a draft can be changed."))
        return allocation

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        allocation = self._existing(request, pk)
        incident = (
            allocation.incident
            if allocation
            else _incident_for(request, request.GET.get("incident"))
        )
        where = incident.jurisdiction if incident else request.user.jurisdiction
        if allocation is None and not (
            request.user.is_superuser
            or (where is not None and permissions.can_request(request.user, where))
        ):
            raise PermissionDenied(_("You may not request materials here."))
        sources = source_choices(request.user)
        if allocation is None:
            form = AllocationForm(incident=incident)
            formset = LineFormSet(prefix="lines", sources=sources)
        else:
            form = AllocationForm(
                incident=incident,
                initial={
                    "purpose": allocation.purpose,
                    "risk_period": allocation.risk_period,
                    "destination": allocation.destination,
                    "needed_by": allocation.needed_by,
                    "receiver_name": allocation.receiver_name,
                    "receiver_phone": allocation.receiver_phone,
                },
            )
            formset = LineFormSet(
                prefix="lines",
                sources=sources,
                initial=[
                    {"source": f"{li.warehouse_id}:{li.item_id}", "quantity": li.quantity}
                    for li in allocation.lines.all()
                ],
            )
        return self._context(request, form, formset, incident, allocation)

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        allocation = self._existing(request, pk)
        incident = (
            allocation.incident
            if allocation
            else _incident_for(request, request.POST.get("incident") or request.GET.get("incident"))
        )
        form = AllocationForm(request.POST, incident=incident)
        formset = LineFormSet(request.POST, prefix="lines", sources=source_choices(request.user))
        valid = form.is_valid()
        if not (formset.is_valid() and valid):
            return self._context(request, form, formset, incident, allocation, status=400)
        data = {**form.cleaned_data, "incident_id": incident.pk if incident else None}
        try:
            if allocation is None:
                saved = services.create_allocation(
                    actor=request.user, data=data, lines=formset.lines()
                )
            else:
                saved = services.update_allocation(
                    actor=request.user,
                    allocation_id=allocation.pk,
                    data=data,
                    lines=formset.lines(),
                )
            if "submit" in request.POST:
                services.submit_allocation(actor=request.user, allocation_id=saved.pk)
        except DomainError as exc:
            raise_for(exc)
            form.add_domain_error(exc)
            return self._context(
                request,
                form,
                formset,
                incident,
                allocation,
                status=409 if exc.status_code == 409 else 400,
            )
        messages.success(request, _("Allocation %(number)s saved.") % {"number": saved.number})
        return HttpResponseRedirect(reverse("support:allocation_detail", args=[saved.pk]))


def _timeline(allocation: AllocationRequest) -> list[dict[str, Any]]:
    events = (
        Event.objects.filter(
            subject_type=AllocationRequest._meta.label_lower, subject_id=str(allocation.pk)
        )
        .select_related("actor")
        .order_by("seq")
    )
    return [
        {"at": e.created_at, "label": event_type_label(e.type), "actor": e.actor, "event": e}
        for e in events
    ]


def _detail_context(request: HttpRequest, allocation: AllocationRequest) -> dict[str, Any]:
    user = request.user
    lines = list(allocation.lines.all())
    owner_ids = {line.warehouse.owner_id for line in lines}
    if not permissions.can_read_allocation(user, allocation, owner_ids):
        raise Http404(_("No such allocation."))
    stock = selectors.on_hand(
        warehouse_ids={li.warehouse_id for li in lines}, item_ids={li.item_id for li in lines}
    )
    status = allocation.status
    works = permissions.can_work_request(user, allocation)
    decides = permissions.can_decide(user, allocation)
    return {
        "allocation": allocation,
        "lines": [
            {
                "line": line,
                "capacity": line.warehouse.kind in CAPACITY_KINDS,
                "on_hand": stock.get((line.warehouse_id, line.item_id)),
                "short": line.received_quantity is not None
                and line.received_quantity < line.quantity,
            }
            for line in lines
        ],
        "timeline": _timeline(allocation),
        "may_edit": works and status == AllocationStatus.DRAFT,
        "may_submit": works and status == AllocationStatus.DRAFT,
        "may_decide": decides and status == AllocationStatus.SUBMITTED,
        "may_cancel": (works or decides)
        and status in (AllocationStatus.DRAFT, AllocationStatus.SUBMITTED),
        "may_deliver": status == AllocationStatus.APPROVED
        and permissions.can_record_delivery(user, allocation, owner_ids),
        "may_receive": status == AllocationStatus.DELIVERED
        and permissions.can_record_receipt(user, allocation),
        "reason_form": ReasonForm(),
        "note_form": NoteForm(),
    }


class AllocationDetailView(ReaderMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        allocation = _allocation(request, pk)
        return render(
            request, "support/allocation/detail.html", _detail_context(request, allocation)
        )


class AllocationPrintView(ReaderMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        allocation = _allocation(request, pk)
        return render(
            request, "support/allocation/print.html", _detail_context(request, allocation)
        )


ACTIONS = ("submit", "approve", "reject", "cancel", "deliver", "receive")


class AllocationActionView(ReaderMixin, View):
    """One step, posted from the request's page."""

    def post(self, request: HttpRequest, pk: int, action: str) -> HttpResponse:
        if action not in ACTIONS:
            raise Http404
        allocation = _allocation(request, pk)
        user = request.user
        post = request.POST
        try:
            if action == "submit":
                services.submit_allocation(actor=user, allocation_id=allocation.pk)
                done = _("Submitted for approval.")
            elif action == "approve":
                services.approve_allocation(
                    actor=user, allocation_id=allocation.pk, note=post.get("note", "")
                )
                done = _("Approved: the materials were issued from stock.")
            elif action == "reject":
                services.reject_allocation(
                    actor=user, allocation_id=allocation.pk, reason=post.get("reason", "")
                )
                done = _("Rejected.")
            elif action == "cancel":
                services.cancel_allocation(
                    actor=user, allocation_id=allocation.pk, reason=post.get("reason", "")
                )
                done = _("Cancelled.")
            elif action == "deliver":
                services.record_delivery(actor=user, allocation_id=allocation.pk)
                done = _("Delivery recorded.")
            else:
                received = {
                    key.removeprefix("received-"): value
                    for key, value in post.items()
                    if key.startswith("received-") and value.strip()
                }
                services.record_receipt(
                    actor=user,
                    allocation_id=allocation.pk,
                    received=received,
                    note=post.get("note", ""),
                )
                done = _("Receipt recorded.")
        except DomainError as exc:
            raise_for(exc)
            context = _detail_context(request, _allocation(request, pk))
            context["refusal"] = exc.detail
            context["refused_action"] = action
            return render(
                request,
                "support/allocation/detail.html",
                context,
                status=409 if exc.status_code == 409 else 400,
            )
        messages.success(request, done)
        return HttpResponseRedirect(reverse("support:allocation_detail", args=[allocation.pk]))


urlpatterns = [
    path("allocations/", AllocationListView.as_view(), name="allocation_list"),
    path("allocations/new/", AllocationFormView.as_view(), name="allocation_create"),
    path("allocations/<int:pk>/", AllocationDetailView.as_view(), name="allocation_detail"),
    path("allocations/<int:pk>/edit/", AllocationFormView.as_view(), name="allocation_edit"),
    path("allocations/<int:pk>/print/", AllocationPrintView.as_view(), name="allocation_print"),
    path(
        "allocations/<int:pk>/<slug:action>/",
        AllocationActionView.as_view(),
        name="allocation_action",
    ),
]
