"""Plan pages: list, draft and edit with force suggestions, detail, submit, approve,
reject, consent."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View

from command.models import Incident
from core.exceptions import DomainError, ValidationFailed
from core.models import Jurisdiction, Organisation
from core.web import RoleRequiredMixin, raise_for
from dispatch import permissions, selectors, services
from dispatch.choices import PlanStatus
from dispatch.forms import (
    ConsentForm,
    PlanForm,
    PlanLineFormSet,
    RejectPlanForm,
)
from dispatch.models import (
    CallOutOrder,
    CallOutPlan,
    Consent,
    PlanLine,
    ReinforcementRequest,
)
from dispatch.views.base import _page
from forces.models import Force


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
                "can_read_special_periods": permissions.can_read_dispatch(request.user),
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
        chosen_ids = [int(pk) for pk in chosen if pk.isdigit()]
        deployed = services.deployed_forces(chosen_ids) if chosen_ids else {}
        return render(
            request,
            "dispatch/plan_form.html",
            {
                "deployed": [
                    (force, deployed[force.pk])
                    for force in Force.objects.filter(pk__in=list(deployed)).order_by("name")
                ],
                "eta_model": selectors.eta_model_text(),
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
        form = PlanForm(
            initial={
                "task": plan.task,
                "reason": plan.reason,
                "allow_deployed": any(line.already_deployed for line in plan.lines.all()),
            }
            if plan
            else None
        )
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
                        allow_deployed=data["allow_deployed"],
                    )
                    messages.success(request, _("Call-out plan drafted."))
                else:
                    plan = services.update_plan(
                        actor=request.user,
                        plan_id=scope.plan.pk,
                        task=data["task"],
                        reason=data["reason"],
                        lines=formset.line_inputs(),
                        allow_deployed=data["allow_deployed"],
                    )
                    messages.success(request, _("Changes saved."))
                return HttpResponseRedirect(plan.get_absolute_url())
            except DomainError as exc:
                raise_for(exc)
                formset.add_line_errors(exc)
                form.add_domain_error(
                    type(exc)(
                        exc.detail,
                        code=exc.code,
                        errors={
                            k: v
                            for k, v in (exc.errors or {}).items()
                            if not k.startswith("lines.")
                        }
                        if isinstance(exc.errors, dict)
                        else exc.errors,
                    )
                )
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
