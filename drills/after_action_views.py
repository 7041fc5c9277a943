"""After-action report pages (总结, Liaocheng §三.三.3) and the follow-up action list that
shows the problems of drills and of incidents together. Reads are scoped with
``visible_to``; every write calls one function of ``drills.after_action`` (or
``drills.services`` for closing an action), which decides role, jurisdiction and state."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views import View

from command.choices import IncidentStatus
from command.models import Incident
from core.choices import OrganisationKind
from core.exceptions import DomainError
from core.web import RoleRequiredMixin, raise_for
from drills import after_action, permissions
from drills.choices import AfterActionStatus
from drills.forms import AfterActionForm, ProblemFormSet, ReviewForm
from drills.models import AfterActionReport, FollowUpAction

PAGE_SIZE = 25


class _ReaderView(RoleRequiredMixin, View):
    def allowed(self, user: Any) -> bool:
        return permissions.can_read_after_actions(user)


def _reports(user: Any):
    return AfterActionReport.objects.visible_to(user).select_related(
        "incident__jurisdiction", "organisation", "submitted_by", "reviewed_by"
    )


def _awaiting(user: Any) -> list[Incident]:
    """Closed incidents of the user's area without a report yet: what a brigade owes."""
    if not (user.is_superuser or user.has_role(*permissions.AFTER_ACTION_READERS)):
        return []
    return list(
        Incident.objects.visible_to(user)
        .filter(status=IncidentStatus.CLOSED, after_action__isnull=True)
        .select_related("jurisdiction")
        .order_by("-closed_at")[:20]
    )


class AfterActionListView(_ReaderView):
    def get(self, request: HttpRequest) -> HttpResponse:
        qs = _reports(request.user)
        status = request.GET.get("status", "")
        if status in AfterActionStatus.values:
            qs = qs.filter(status=status)
        page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
        user = request.user
        writer = user.is_superuser or (
            user.organisation_id and user.organisation.kind == OrganisationKind.FIRE_RESCUE
        )
        return render(
            request,
            "drills/after_action_list.html",
            {
                "page": page,
                "status": status,
                "statuses": AfterActionStatus.choices,
                "awaiting": _awaiting(user) if writer else [],
            },
        )


def _problems(formset) -> list[after_action.ProblemInput]:
    return [
        after_action.ProblemInput(
            problem=row["problem"],
            action=row.get("action", ""),
            owner=row["owner"],
            owner_person=row.get("owner_person", ""),
            deadline=row["deadline"],
        )
        for row in formset.cleaned_data
        if row.get("problem")
    ]


class AfterActionFormView(_ReaderView):
    """Write or rework the summary of a closed incident; "Save and submit" submits it."""

    def _incident(self, request: HttpRequest, incident_id: int) -> Incident:
        return get_object_or_404(
            Incident.objects.visible_to(request.user).select_related("jurisdiction"),
            pk=incident_id,
        )

    def _render(self, request, incident, form, formset, status=200):
        report = AfterActionReport.objects.filter(incident=incident).first()
        return render(
            request,
            "drills/after_action_form.html",
            {"incident": incident, "report": report, "form": form, "formset": formset},
            status=status,
        )

    def get(self, request: HttpRequest, incident_id: int) -> HttpResponse:
        incident = self._incident(request, incident_id)
        report = AfterActionReport.objects.filter(incident=incident).first()
        initial = {}
        rows = []
        if report is not None:
            initial = {name: getattr(report, name) for name in after_action.SECTIONS}
            rows = [
                {
                    "problem": a.problem,
                    "action": a.action,
                    "owner": a.owner_id,
                    "owner_person": a.owner_person,
                    "deadline": a.deadline,
                }
                for a in report.actions.filter(closed_at__isnull=True)
            ]
        formset = ProblemFormSet(
            prefix="problems", initial=rows, form_kwargs={"user": request.user}
        )
        return self._render(request, incident, AfterActionForm(initial=initial), formset)

    def post(self, request: HttpRequest, incident_id: int) -> HttpResponse:
        incident = self._incident(request, incident_id)
        form = AfterActionForm(request.POST)
        formset = ProblemFormSet(
            request.POST, prefix="problems", form_kwargs={"user": request.user}
        )
        if form.is_valid() and formset.is_valid():
            try:
                report = after_action.save_after_action(
                    actor=request.user,
                    incident_id=incident.pk,
                    problems=_problems(formset),
                    **form.cleaned_data,
                )
                if "submit" in request.POST:
                    after_action.submit_after_action(actor=request.user, report_id=report.pk)
                    messages.success(request, _("After-action report submitted to the bureau."))
                else:
                    messages.success(request, _("After-action report saved."))
                return HttpResponseRedirect(report.get_absolute_url())
            except DomainError as exc:
                raise_for(exc)
                form.add_domain_error(exc)
        return self._render(request, incident, form, formset, status=400)


class AfterActionDetailView(_ReaderView):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        report = get_object_or_404(_reports(request.user), pk=pk)
        user = request.user
        actions = list(report.actions.select_related("owner", "closed_by"))
        for a in actions:
            a.after_action = report
            a.can_close = not a.is_closed and permissions.can_close_action(user, a)
        editable = report.status in after_action.EDITABLE
        return render(
            request,
            "drills/after_action_detail.html",
            {
                "report": report,
                "actions": actions,
                "can_write": editable
                and report.incident.status == IncidentStatus.CLOSED
                and permissions.can_write_after_action(user, report.incident, report),
                "can_review": report.status == AfterActionStatus.SUBMITTED
                and permissions.can_review_after_action(user, report),
                "review_form": ReviewForm(),
            },
        )


class _ReportStep(_ReaderView):
    def step(self, request: HttpRequest, report: AfterActionReport) -> str:
        raise NotImplementedError

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        report = get_object_or_404(_reports(request.user), pk=pk)
        try:
            messages.success(request, self.step(request, report))
        except DomainError as exc:
            raise_for(exc)
            messages.error(request, exc.detail)
        return HttpResponseRedirect(report.get_absolute_url())


class AfterActionSubmitView(_ReportStep):
    def step(self, request, report):
        after_action.submit_after_action(actor=request.user, report_id=report.pk)
        return _("After-action report submitted to the bureau.")


class AfterActionAcceptView(_ReportStep):
    def step(self, request, report):
        after_action.accept_after_action(
            actor=request.user, report_id=report.pk, note=request.POST.get("note", "")
        )
        return _("After-action report accepted.")


class AfterActionReturnView(_ReportStep):
    def step(self, request, report):
        after_action.return_after_action(
            actor=request.user, report_id=report.pk, reason=request.POST.get("note", "")
        )
        return _("After-action report returned to the brigade.")


class FollowUpActionListView(_ReaderView):
    """Every follow-up action of the user's area, from drills and from after-action
    reports, open ones first by deadline."""

    def get(self, request: HttpRequest) -> HttpResponse:
        qs = (
            FollowUpAction.objects.visible_to(request.user)
            .select_related("drill", "after_action__incident", "owner", "closed_by")
            .order_by("closed_at", "deadline", "pk")
        )
        kind = request.GET.get("kind", "")
        if kind == "drill":
            qs = qs.filter(drill__isnull=False)
        elif kind == "after_action":
            qs = qs.filter(after_action__isnull=False)
        if request.GET.get("open"):
            qs = qs.filter(closed_at__isnull=True)
        if request.GET.get("q"):
            q = request.GET["q"]
            qs = qs.filter(Q(problem__icontains=q) | Q(owner__name__icontains=q))
        page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
        return render(
            request,
            "drills/follow_up_list.html",
            {"page": page, "kind": kind, "open": bool(request.GET.get("open"))},
        )


urlpatterns = [
    path("after-action/", AfterActionListView.as_view(), name="after_action_list"),
    path(
        "after-action/incident/<int:incident_id>/",
        AfterActionFormView.as_view(),
        name="after_action_form",
    ),
    path("after-action/<int:pk>/", AfterActionDetailView.as_view(), name="after_action_detail"),
    path(
        "after-action/<int:pk>/submit/",
        AfterActionSubmitView.as_view(),
        name="after_action_submit",
    ),
    path(
        "after-action/<int:pk>/accept/",
        AfterActionAcceptView.as_view(),
        name="after_action_accept",
    ),
    path(
        "after-action/<int:pk>/return/",
        AfterActionReturnView.as_view(),
        name="after_action_return",
    ),
    path("actions/", FollowUpActionListView.as_view(), name="action_list"),
]


def form_url(incident_id: int) -> str:
    return reverse("drills:after_action_form", args=[incident_id])
