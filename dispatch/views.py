"""Pages of the dispatch chain (SPEC §4): call-out plans with force suggestions, approval
and consent, orders and their steps, the printable order, cross-region reinforcement and
notices for the record. Every write binds a form and calls one function of
``dispatch.services``; buttons are shown with the predicates those services use, and a
refusal is shown as an alert (or a field error, status 400), never a 500."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, Prefetch, Value, When
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import View

from command.choices import IncidentStatus
from command.models import Incident
from core.exceptions import DomainError, ValidationFailed
from core.models import Jurisdiction, Organisation
from core.web import RoleRequiredMixin, raise_for
from dispatch import pdf, permissions, selectors, services
from dispatch.choices import NoticeStatus, OrderStatus, PlanStatus, ReinforcementStatus
from dispatch.forms import (
    ConsentForm,
    PlanForm,
    PlanLineFormSet,
    ReinforcementDecisionForm,
    ReinforcementRequestForm,
    RejectPlanForm,
    ResultForm,
)
from dispatch.models import (
    CallOutOrder,
    CallOutPlan,
    Consent,
    Notice,
    PlanLine,
    ReinforcementRequest,
)
from forces.models import Force

PAGE_SIZE = 25

STEP_LABELS = {
    "acknowledge": gettext_lazy("Acknowledge the order"),
    "depart": gettext_lazy("Report departure"),
    "arrive": gettext_lazy("Report arrival on scene"),
    "complete": gettext_lazy("Report the task completed"),
    "result": gettext_lazy("Report the result"),
}


def _page(request: HttpRequest, qs) -> tuple[Any, str]:
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()


# --- plans --------------------------------------------------------------------------------


def _plan_queryset(user: Any):
    lines = PlanLine.objects.select_related(
        "force__organisation", "force__industry_authority", "force__jurisdiction"
    )
    return (
        selectors.plans_for(user)
        .select_related(
            "incident__incident_type",
            "incident__jurisdiction",
            "jurisdiction",
            "drafted_by",
            "decided_by",
            "reinforcement__requesting_jurisdiction",
            "reinforcement__upper_jurisdiction",
        )
        .prefetch_related(
            Prefetch("lines", queryset=lines),
            Prefetch(
                "consents",
                queryset=Consent.objects.select_related("organisation", "given_by").order_by(
                    "recorded_at"
                ),
            ),
            Prefetch(
                "orders",
                queryset=CallOutOrder.objects.select_related("force", "plan__jurisdiction"),
            ),
        )
    )


class PlanListView(RoleRequiredMixin, View):
    """Plans in the user's scope; those awaiting a decision first for approvers."""

    def allowed(self, user: Any) -> bool:
        return permissions.may_list_plans(user)

    def get(self, request: HttpRequest) -> HttpResponse:
        qs = selectors.plan_list(request.user)
        status = request.GET.get("status", "")
        if status in PlanStatus.values:
            qs = qs.filter(status=status)
        page, query = _page(request, qs)
        return render(
            request,
            "dispatch/plan_list.html",
            {
                "page": page,
                "query": query,
                "status": status,
                "statuses": PlanStatus.choices,
            },
        )


@dataclass
class PlanScope:
    """What a plan form works on: the incident, the drafting level and its forces."""

    incident: Incident
    level: Jurisdiction
    plan: CallOutPlan | None = None
    reinforcement: ReinforcementRequest | None = None

    @property
    def exclude(self) -> Jurisdiction | None:
        return self.reinforcement.requesting_jurisdiction if self.reinforcement else None


class PlanFormView(RoleRequiredMixin, View):
    """Draft a plan for an incident or an approved reinforcement request, or edit a draft."""

    def allowed(self, user: Any) -> bool:
        return user.has_perm("dispatch.add_calloutplan")

    def _scope(self, request: HttpRequest, kwargs: dict[str, int]) -> PlanScope:
        user = request.user
        if "pk" in kwargs:
            plan = get_object_or_404(_plan_queryset(user), pk=kwargs["pk"])
            scope = PlanScope(
                incident=plan.incident,
                level=plan.jurisdiction,
                plan=plan,
                reinforcement=plan.reinforcement,
            )
        elif "reinforcement_pk" in kwargs:
            request_obj = get_object_or_404(
                ReinforcementRequest.objects.visible_to(user).select_related(
                    "incident__incident_type",
                    "incident__jurisdiction",
                    "upper_jurisdiction",
                    "requesting_jurisdiction",
                ),
                pk=kwargs["reinforcement_pk"],
            )
            scope = PlanScope(
                incident=request_obj.incident,
                level=request_obj.upper_jurisdiction,
                reinforcement=request_obj,
            )
        else:
            incident = get_object_or_404(
                Incident.objects.visible_to(user).select_related("incident_type", "jurisdiction"),
                pk=kwargs["incident_pk"],
            )
            if user.jurisdiction is None:
                raise PermissionDenied
            scope = PlanScope(incident=incident, level=user.jurisdiction)
        if not permissions.may_draft_at(user, scope.level):
            raise PermissionDenied
        return scope

    def _forces(self, request: HttpRequest, scope: PlanScope):
        forces = (
            Force.objects.visible_to(request.user)
            .filter(is_active=True, jurisdiction__path__startswith=scope.level.path)
            .select_related("jurisdiction")
        )
        if scope.exclude is not None:
            forces = forces.exclude(jurisdiction__path__startswith=scope.exclude.path)
        return forces

    def _render(self, request, scope, form, formset, status=200) -> HttpResponse:
        chosen = {str(f["force"].value()) for f in formset.forms if f["force"].value()}
        suggestions = selectors.suggest_forces(
            scope.incident, scope.level, exclude_jurisdiction=scope.exclude
        )
        return render(
            request,
            "dispatch/plan_form.html",
            {
                "scope": scope,
                "incident": scope.incident,
                "plan": scope.plan,
                "form": form,
                "formset": formset,
                "suggestions": suggestions,
                "chosen": chosen,
            },
            status=status,
        )

    def get(self, request: HttpRequest, **kwargs: int) -> HttpResponse:
        scope = self._scope(request, kwargs)
        plan = scope.plan
        if plan is not None and plan.status != PlanStatus.DRAFT:
            messages.info(request, _("Only a draft can be edited."))
            return HttpResponseRedirect(plan.get_absolute_url())
        initial_lines = (
            [
                {
                    "force": line.force_id,
                    "task": line.task,
                    "people": line.people,
                    "equipment": line.equipment,
                }
                for line in plan.lines.all()
            ]
            if plan
            else []
        )
        form = PlanForm(initial={"task": plan.task, "reason": plan.reason} if plan else None)
        formset = PlanLineFormSet(
            prefix="lines",
            initial=initial_lines,
            form_kwargs={"forces": self._forces(request, scope)},
        )
        return self._render(request, scope, form, formset)

    def post(self, request: HttpRequest, **kwargs: int) -> HttpResponse:
        scope = self._scope(request, kwargs)
        form = PlanForm(request.POST)
        formset = PlanLineFormSet(
            request.POST, prefix="lines", form_kwargs={"forces": self._forces(request, scope)}
        )
        valid = form.is_valid()
        valid = formset.is_valid() and valid
        if valid:
            data = form.cleaned_data
            try:
                if scope.plan is None:
                    plan = services.draft_plan(
                        actor=request.user,
                        incident_id=scope.incident.pk,
                        task=data["task"],
                        reason=data["reason"],
                        lines=formset.line_inputs(),
                        reinforcement_id=scope.reinforcement.pk if scope.reinforcement else None,
                    )
                    messages.success(request, _("Call-out plan drafted."))
                else:
                    plan = services.update_plan(
                        actor=request.user,
                        plan_id=scope.plan.pk,
                        task=data["task"],
                        reason=data["reason"],
                        lines=formset.line_inputs(),
                    )
                    messages.success(request, _("Changes saved."))
                return HttpResponseRedirect(plan.get_absolute_url())
            except DomainError as exc:
                raise_for(exc)
                form.add_domain_error(exc)
        return self._render(request, scope, form, formset, status=400)


def _plan_detail(
    request: HttpRequest,
    plan: CallOutPlan,
    *,
    reject_form: RejectPlanForm | None = None,
    consent_form: ConsentForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    undecided = plan.status in (PlanStatus.DRAFT, PlanStatus.SUBMITTED)
    periods = (
        services.active_special_periods(plan.jurisdiction, timezone.localdate())
        if undecided
        else []
    )
    missing = services.missing_consents(plan) if undecided else []
    drafting = permissions.may_draft_at(user, plan.jurisdiction)
    approver = permissions.may_record_consent_for_department(user, plan)
    needs_consent = bool(periods) or plan.in_special_period
    if consent_form is None and approver and undecided and missing:
        consent_form = ConsentForm(
            departments=Organisation.objects.filter(pk__in=[o.pk for o in missing]),
            initial={"organisation": missing[0].pk} if len(missing) == 1 else None,
        )
    context = {
        "plan": plan,
        "incident": plan.incident,
        "lines": list(plan.lines.all()),
        "consents": list(plan.consents.all()),
        "orders": [(o, selectors.overdue_steps(o)) for o in plan.orders.all()],
        "periods": periods,
        "needs_consent": needs_consent,
        "missing": missing,
        "can_edit": drafting and plan.status == PlanStatus.DRAFT,
        "can_submit": drafting and plan.status == PlanStatus.DRAFT,
        "can_decide": plan.status == PlanStatus.SUBMITTED
        and permissions.may_decide_plan(user, plan),
        "can_record_consent": approver and undecided and bool(missing),
        "can_give_consent": undecided
        and any(permissions.may_consent_for(user, o.pk) for o in missing),
        "reject_form": reject_form or RejectPlanForm(),
        "consent_form": consent_form,
    }
    return render(request, "dispatch/plan_detail.html", context, status=status)


class PlanDetailView(RoleRequiredMixin, View):
    def allowed(self, user: Any) -> bool:
        return permissions.may_list_plans(user)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        plan = get_object_or_404(_plan_queryset(request.user), pk=pk)
        return _plan_detail(request, plan)


class PlanActionView(RoleRequiredMixin, View):
    """A button on the plan page: one service call, then back to the plan with its
    outcome as a message (a refusal as an alert)."""

    def allowed(self, user: Any) -> bool:
        return permissions.may_list_plans(user)

    def perform(self, request: HttpRequest, plan: CallOutPlan) -> HttpResponse | None:
        raise NotImplementedError

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        plan = get_object_or_404(_plan_queryset(request.user), pk=pk)
        try:
            response = self.perform(request, plan)
        except DomainError as exc:
            raise_for(exc)
            response = self.refused(request, plan, exc)
        return response or HttpResponseRedirect(plan.get_absolute_url())

    def refused(self, request, plan, exc: DomainError) -> HttpResponse | None:
        messages.error(request, exc.detail)
        return None


class PlanSubmitView(PlanActionView):
    def perform(self, request, plan):
        services.submit_plan(actor=request.user, plan_id=plan.pk)
        messages.success(request, _("Plan submitted to the bureau for approval."))


class PlanApproveView(PlanActionView):
    def perform(self, request, plan):
        orders = services.approve_plan(actor=request.user, plan_id=plan.pk)
        n = len(orders)
        message = ngettext(
            "Plan approved: %(n)d order issued.", "Plan approved: %(n)d orders issued.", n
        )
        messages.success(request, message % {"n": n})


class PlanRejectView(PlanActionView):
    def perform(self, request, plan):
        self.form = RejectPlanForm(request.POST)
        if not self.form.is_valid():
            return _plan_detail(request, plan, reject_form=self.form, status=400)
        services.reject_plan(
            actor=request.user, plan_id=plan.pk, reason=self.form.cleaned_data["rejection_reason"]
        )
        messages.success(request, _("Plan rejected."))

    def refused(self, request, plan, exc):
        if isinstance(exc, ValidationFailed):
            self.form.add_domain_error(exc)
            return _plan_detail(request, plan, reject_form=self.form, status=400)
        return super().refused(request, plan, exc)


class PlanConsentView(PlanActionView):
    """One click for a user of the department itself; the approver's form otherwise."""

    def perform(self, request, plan):
        self.form = None
        if "organisation" not in request.POST:
            services.record_consent(
                actor=request.user, plan_id=plan.pk, organisation_id=request.user.organisation_id
            )
            messages.success(request, _("Consent given."))
            return None
        departments = Organisation.objects.filter(
            pk__in=[o.pk for o in services.missing_consents(plan)]
        )
        self.form = ConsentForm(request.POST, departments=departments)
        if not self.form.is_valid():
            return _plan_detail(request, plan, consent_form=self.form, status=400)
        data = self.form.cleaned_data
        services.record_consent(
            actor=request.user,
            plan_id=plan.pk,
            organisation_id=data["organisation"].pk,
            consulted_person=data["consulted_person"],
            consulted_at=data["consulted_at"],
            note=data["note"],
        )
        messages.success(request, _("Consent recorded."))
        return None

    def refused(self, request, plan, exc):
        if isinstance(exc, ValidationFailed) and self.form is not None:
            self.form.add_domain_error(exc)
            return _plan_detail(request, plan, consent_form=self.form, status=400)
        return super().refused(request, plan, exc)


# --- orders -------------------------------------------------------------------------------


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
                When(status=OrderStatus.REPORTED, then=Value(1)),
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
        "notice": Notice.objects.filter(order=order).select_related("organisation").first(),
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


# --- cross-region reinforcement -------------------------------------------------------------


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


# --- notices for the record -----------------------------------------------------------------


class NoticeListView(RoleRequiredMixin, View):
    """Notices (报备) for the notified department and the bureau."""

    def allowed(self, user: Any) -> bool:
        return permissions.may_list_notices(user)

    def get(self, request: HttpRequest) -> HttpResponse:
        qs = selectors.notice_list(request.user).order_by("-recorded_at", "-id")
        status = request.GET.get("status", "")
        if status in NoticeStatus.values:
            qs = qs.filter(status=status)
        page, query = _page(request, qs)
        return render(
            request,
            "dispatch/notice_list.html",
            {"page": page, "query": query, "status": status, "statuses": NoticeStatus.choices},
        )
