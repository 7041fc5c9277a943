"""Order pages: list, detail, the force's steps, the printable order."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Case, IntegerField, Value, When
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views import View

from core.exceptions import DomainError, ValidationFailed
from core.web import RoleRequiredMixin, raise_for
from dispatch import pdf, permissions, selectors, services
from dispatch.choices import OrderStatus
from dispatch.forms import (
    ResultForm,
)
from dispatch.models import (
    CallOutOrder,
    Notice,
)
from dispatch.views.base import STEP_LABELS, _page


def _order_queryset(user: Any):
    return selectors.orders_for(user).select_related(
        "force__organisation",
        "force__industry_authority",
        "plan__incident__incident_type",
        "plan__incident__jurisdiction",
        "plan__jurisdiction",
        "plan__drafted_by__organisation",
        "plan__decided_by__organisation",
        "last_step_by",
    )


class OrderListView(RoleRequiredMixin, View):
    """Force accounts: their organisation's forces' orders; others: what is visible."""

    def allowed(self, user: Any) -> bool:
        return permissions.may_list_orders(user)

    def get(self, request: HttpRequest) -> HttpResponse:
        qs = selectors.order_list(request.user)
        status = request.GET.get("status", "")
        if status in OrderStatus.values:
            qs = qs.filter(status=status)
        qs = qs.annotate(
            done=Case(
                When(status__in=[OrderStatus.REPORTED, OrderStatus.ENDED], then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            )
        ).order_by("done", "-issued_at", "-id")
        page, query = _page(request, qs)
        rows = [(order, selectors.overdue_steps(order)) for order in page]
        return render(
            request,
            "dispatch/order_list.html",
            {
                "page": page,
                "rows": rows,
                "query": query,
                "status": status,
                "statuses": OrderStatus.choices,
            },
        )


def _order_detail(
    request: HttpRequest,
    order: CallOutOrder,
    *,
    result_form: ResultForm | None = None,
    status: int = 200,
) -> HttpResponse:
    step = selectors.next_step(order)
    overdue = selectors.overdue_steps(order)
    may, on_behalf = permissions.may_step(request.user, order) if step else (False, False)
    stamps = [
        (_("Issued"), order.issued_at),
        (_("Delivered"), order.delivered_at),
        (_("Acknowledged"), order.acknowledged_at),
        (_("Departed"), order.departed_at),
        (_("Arrived"), order.arrived_at),
        (_("Completed"), order.completed_at),
        (_("Result reported"), order.reported_at),
    ]
    notice = Notice.objects.filter(order=order).select_related("organisation").first()
    context = {
        "order": order,
        "plan": order.plan,
        "incident": order.plan.incident,
        "stamps": stamps,
        "step": step,
        "step_label": STEP_LABELS.get(step or "", ""),
        "can_step": may,
        "on_behalf": on_behalf,
        "overdue": overdue,
        "overdue_kinds": [late.kind for late in overdue],
        "alerts": list(selectors.open_alerts(order)),
        "notice": notice,
        "deliveries": selectors.order_deliveries(order, notice),
        "result_form": result_form or (ResultForm() if step == "result" else None),
    }
    return render(request, "dispatch/order_detail.html", context, status=status)


class OrderDetailView(RoleRequiredMixin, View):
    def allowed(self, user: Any) -> bool:
        return permissions.may_list_orders(user)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        order = get_object_or_404(_order_queryset(request.user), pk=pk)
        return _order_detail(request, order)


class OrderStepView(RoleRequiredMixin, View):
    """Acknowledge, depart, arrive, complete or report the result (Zhoushan §三.2)."""

    def allowed(self, user: Any) -> bool:
        return permissions.may_list_orders(user)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        order = get_object_or_404(_order_queryset(request.user), pk=pk)
        action = request.POST.get("action", "")
        form = ResultForm(request.POST) if action == "result" else None
        if form is not None and not form.is_valid():
            return _order_detail(request, order, result_form=form, status=400)
        data = form.cleaned_data if form is not None else {}
        try:
            services.advance_order(
                actor=request.user,
                order_id=order.pk,
                action=action,
                result=data.get("result") or "",
                people_rescued=data.get("people_rescued"),
            )
            messages.success(request, _("Step recorded."))
        except DomainError as exc:
            raise_for(exc)
            if form is not None and isinstance(exc, ValidationFailed):
                form.add_domain_error(exc)
                return _order_detail(request, order, result_form=form, status=400)
            messages.error(request, exc.detail)
        return HttpResponseRedirect(order.get_absolute_url())


class OrderPdfView(RoleRequiredMixin, View):
    """The printable order (出动指令单), made with WeasyPrint."""

    def allowed(self, user: Any) -> bool:
        return permissions.may_list_orders(user)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        order = get_object_or_404(_order_queryset(request.user), pk=pk)
        response = HttpResponse(
            pdf.order_pdf(order),
            content_type="application/pdf",
        )
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=False, filename=f"{_('Call-out order')}-{order.number}.pdf"
        )
        return response
