"""Drill pages (SPEC §6). Reads are scoped with ``visible_to``; every write binds a form and
calls one function of ``drills.services``, which decides role, jurisdiction, organisation
and transition."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from core.exceptions import DomainError, InvalidTransition
from core.models import Jurisdiction
from core.web import RegistryReaderRequiredMixin, raise_for
from drills import permissions, selectors, services
from drills.choices import ComplianceStatus, DrillStatus
from drills.forms import (
    AnnualPlanForm,
    AttachmentForm,
    CloseActionForm,
    ConductForm,
    ContingencyPlanForm,
    DrillFilterForm,
    DrillForm,
    EvaluateForm,
    ProblemFormSet,
)
from drills.models import AnnualDrillPlan, ContingencyPlan, Drill, DrillAttachment, FollowUpAction

PAGE_SIZE = 25


def _may_write_somewhere(user: Any) -> bool:
    return user.is_superuser or user.has_role(*permissions.DRILL_WRITERS)


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


# --- drills -----------------------------------------------------------------------------


class DrillListView(RegistryReaderRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        form = DrillFilterForm(request.GET or None)
        qs = selectors.drills_for(request.user)
        if form.is_valid():
            data = form.cleaned_data
            if data["q"]:
                qs = qs.filter(
                    Q(title__icontains=data["q"]) | Q(organiser__name__icontains=data["q"])
                )
            if data["drill_type"]:
                qs = qs.filter(drill_type=data["drill_type"])
            if data["status"]:
                qs = qs.filter(status=data["status"])
            if data["year"]:
                qs = qs.filter(planned_date__year=data["year"])
        elif form.is_bound:
            qs = qs.none()
        page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
        context = {
            "form": form,
            "page": page,
            "query": _query_without_page(request),
            "can_create": _may_write_somewhere(request.user),
        }
        template = "drills/_drill_rows.html" if request.htmx else "drills/drill_list.html"
        return render(request, template, context)


def _drill_or_404(request: HttpRequest, pk: int) -> Drill:
    return get_object_or_404(
        Drill.objects.visible_to(request.user).select_related(
            "organiser__jurisdiction",
            "annual_plan",
            "contingency_plan",
            "conducted_by",
            "evaluated_by",
            "created_by",
        ),
        pk=pk,
    )


def _detail_context(request: HttpRequest, drill: Drill, **extra: Any) -> dict[str, Any]:
    can_manage = permissions.can_manage_drills_of(request.user, drill.organiser)
    actions = list(drill.actions.select_related("owner", "closed_by"))
    for action in actions:
        action.can_close = not action.is_closed and (
            can_manage
            or (
                request.user.organisation_id == action.owner_id
                and request.user.has_role(*permissions.DRILL_WRITERS)
            )
        )
    context = {
        "drill": drill,
        "can_manage": can_manage,
        "forces": drill.participating_forces.select_related("organisation"),
        "organisations": drill.participating_organisations.all(),
        "actions": actions,
        "attachments": drill.attachments.select_related("uploaded_by"),
        "attachment_form": AttachmentForm(),
        "history": selectors.drill_history(drill),
        "max_mb": round(services.max_attachment_bytes() / 1024 / 1024, 1),
    }
    context.update(extra)
    return context


class DrillDetailView(RegistryReaderRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        drill = _drill_or_404(request, pk)
        return render(request, "drills/drill_detail.html", _detail_context(request, drill))


class DrillFormView(RegistryReaderRequiredMixin, View):
    """Plan a drill (no pk) or edit a planned one (pk)."""

    def _drill(self, request: HttpRequest, pk: int | None) -> Drill | None:
        if pk is None:
            if not _may_write_somewhere(request.user):
                raise PermissionDenied
            return None
        drill = _drill_or_404(request, pk)
        if not permissions.can_manage_drills_of(request.user, drill.organiser):
            raise PermissionDenied
        return drill

    def _render(self, request, form, drill, status=200):
        return render(
            request, "drills/drill_form.html", {"form": form, "drill": drill}, status=status
        )

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        drill = self._drill(request, pk)
        initial = {}
        if drill is None and request.GET.get("date"):
            initial["planned_date"] = request.GET["date"]
        return self._render(
            request, DrillForm(instance=drill, user=request.user, initial=initial), drill
        )

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        drill = self._drill(request, pk)
        form = DrillForm(request.POST, instance=drill, user=request.user)
        if form.is_valid():
            data = dict(form.cleaned_data)
            forces = list(data.pop("participating_forces"))
            organisations = list(data.pop("participating_organisations"))
            organiser = data.pop("organiser")
            try:
                if drill is None:
                    drill = services.create_drill(
                        actor=request.user,
                        organiser=organiser,
                        data=data,
                        forces=forces,
                        organisations=organisations,
                    )
                    messages.success(request, _("Drill planned."))
                else:
                    services.update_drill(
                        actor=request.user,
                        drill_id=drill.pk,
                        data=data,
                        forces=forces,
                        organisations=organisations,
                    )
                    messages.success(request, _("Changes saved."))
                return HttpResponseRedirect(drill.get_absolute_url())
            except InvalidTransition as exc:
                messages.error(request, exc.detail)
                return HttpResponseRedirect(drill.get_absolute_url())  # type: ignore[union-attr]
            except DomainError as exc:
                raise_for(exc)
                form.add_domain_error(exc)
        return self._render(request, form, drill, status=400)


class _DrillStepView(RegistryReaderRequiredMixin, View):
    """A transition page: only the drill's managers reach it."""

    template = ""

    def _drill(self, request: HttpRequest, pk: int) -> Drill:
        drill = _drill_or_404(request, pk)
        if not permissions.can_manage_drills_of(request.user, drill.organiser):
            raise PermissionDenied
        return drill

    def refused(self, request: HttpRequest, drill: Drill, exc: DomainError) -> HttpResponse:
        raise_for(exc)
        messages.error(request, exc.detail)
        return HttpResponseRedirect(drill.get_absolute_url())


class DrillConductView(_DrillStepView):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        drill = self._drill(request, pk)
        if drill.status != DrillStatus.PLANNED:
            messages.error(request, _("Only a planned drill can be recorded as conducted."))
            return HttpResponseRedirect(drill.get_absolute_url())
        form = ConductForm(initial={"conducted_on": min(drill.planned_date, timezone.localdate())})
        return render(request, "drills/conduct_form.html", {"drill": drill, "form": form})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        drill = self._drill(request, pk)
        form = ConductForm(request.POST)
        if form.is_valid():
            try:
                services.conduct_drill(
                    actor=request.user,
                    drill_id=drill.pk,
                    conducted_on=form.cleaned_data["conducted_on"],
                    notes=form.cleaned_data["notes"],
                )
                messages.success(request, _("Drill recorded as conducted."))
                return HttpResponseRedirect(drill.get_absolute_url())
            except InvalidTransition as exc:
                return self.refused(request, drill, exc)
            except DomainError as exc:
                raise_for(exc)
                form.add_domain_error(exc)
        return render(
            request, "drills/conduct_form.html", {"drill": drill, "form": form}, status=400
        )


class DrillEvaluateView(_DrillStepView):
    def _render(self, request, drill, form, formset, status=200):
        return render(
            request,
            "drills/evaluate_form.html",
            {"drill": drill, "form": form, "formset": formset},
            status=status,
        )

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        drill = self._drill(request, pk)
        if drill.status != DrillStatus.CONDUCTED:
            messages.error(request, _("Only a conducted drill can be evaluated."))
            return HttpResponseRedirect(drill.get_absolute_url())
        formset = ProblemFormSet(prefix="problems", form_kwargs={"user": request.user})
        return self._render(request, drill, EvaluateForm(), formset)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        drill = self._drill(request, pk)
        form = EvaluateForm(request.POST)
        formset = ProblemFormSet(
            request.POST, prefix="problems", form_kwargs={"user": request.user}
        )
        if form.is_valid() and formset.is_valid():
            problems = [
                services.ProblemInput(
                    problem=row["problem"],
                    action=row.get("action", ""),
                    owner=row["owner"],
                    owner_person=row.get("owner_person", ""),
                    deadline=row["deadline"],
                )
                for row in formset.cleaned_data
                if row.get("problem")
            ]
            try:
                services.evaluate_drill(
                    actor=request.user,
                    drill_id=drill.pk,
                    score=form.cleaned_data["score"],
                    improvements=form.cleaned_data["improvements"],
                    problems=problems,
                )
                messages.success(request, _("Evaluation saved."))
                return HttpResponseRedirect(drill.get_absolute_url())
            except InvalidTransition as exc:
                return self.refused(request, drill, exc)
            except DomainError as exc:
                raise_for(exc)
                form.add_domain_error(exc)
        return self._render(request, drill, form, formset, status=400)


class AttachmentUploadView(RegistryReaderRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        drill = _drill_or_404(request, pk)
        form = AttachmentForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.add_drill_attachment(
                    actor=request.user, drill_id=drill.pk, upload=form.cleaned_data["file"]
                )
                messages.success(request, _("Attachment added."))
                return HttpResponseRedirect(drill.get_absolute_url() + "#attachments")
            except DomainError as exc:
                raise_for(exc)
                form.add_error("file", exc.detail)
        context = _detail_context(request, drill, attachment_form=form)
        return render(request, "drills/drill_detail.html", context, status=400)


class AttachmentDownloadView(RegistryReaderRequiredMixin, View):
    """Files are served only to those who may see the drill."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        attachment = get_object_or_404(DrillAttachment.objects.visible_to(request.user), pk=pk)
        try:
            handle = attachment.file.open("rb")
        except FileNotFoundError as exc:
            raise Http404 from exc
        return FileResponse(
            handle,
            as_attachment=not attachment.content_type.startswith("image/"),
            filename=attachment.original_name,
            content_type=attachment.content_type,
        )


class ActionCloseView(RegistryReaderRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        action = get_object_or_404(
            FollowUpAction.objects.visible_to(request.user).select_related("drill", "after_action"),
            pk=pk,
        )
        form = CloseActionForm(request.POST)
        target = action.get_absolute_url()
        if not form.is_valid():
            messages.error(request, _("Say how the problem was resolved."))
            return HttpResponseRedirect(target)
        try:
            services.close_follow_up_action(
                actor=request.user, action_id=action.pk, note=form.cleaned_data["closure_note"]
            )
            messages.success(request, _("Follow-up action closed."))
        except DomainError as exc:
            raise_for(exc)
            messages.error(request, exc.detail)
        return HttpResponseRedirect(target)


# --- annual plans, contingency plans -----------------------------------------------------


class AnnualPlanListView(RegistryReaderRequiredMixin, View):
    def _render(self, request, form, status=200):
        plans = (
            AnnualDrillPlan.objects.visible_to(request.user)
            .select_related("organisation__jurisdiction")
            .annotate(
                drill_count=Count("drills"),
                conducted_count=Count("drills", filter=~Q(drills__status=DrillStatus.PLANNED)),
            )
            .order_by("-year", "organisation__name", "pk")
        )
        year = request.GET.get("year")
        if year and year.isdigit():
            plans = plans.filter(year=int(year))
        page = Paginator(plans, PAGE_SIZE).get_page(request.GET.get("page"))
        context = {
            "page": page,
            "form": form,
            "query": _query_without_page(request),
            "can_create": _may_write_somewhere(request.user),
        }
        return render(request, "drills/plan_list.html", context, status=status)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request, AnnualPlanForm(user=request.user))

    def post(self, request: HttpRequest) -> HttpResponse:
        if not _may_write_somewhere(request.user):
            raise PermissionDenied
        form = AnnualPlanForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                plan = services.create_annual_plan(
                    actor=request.user,
                    organisation=form.cleaned_data["organisation"],
                    year=form.cleaned_data["year"],
                    notes=form.cleaned_data["notes"],
                )
                messages.success(request, _("Annual drill plan created."))
                return HttpResponseRedirect(plan.get_absolute_url())
            except DomainError as exc:
                raise_for(exc)
                form.add_domain_error(exc)
        return self._render(request, form, status=400)


class AnnualPlanDetailView(RegistryReaderRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        plan = get_object_or_404(
            AnnualDrillPlan.objects.visible_to(request.user).select_related(
                "organisation", "created_by"
            ),
            pk=pk,
        )
        drills = plan.drills.select_related("contingency_plan").order_by("planned_date")
        context = {
            "plan": plan,
            "drills": drills,
            "can_manage": permissions.can_manage_drills_of(request.user, plan.organisation),
        }
        return render(request, "drills/plan_detail.html", context)


class ContingencyPlanListView(RegistryReaderRequiredMixin, View):
    def _render(self, request, form, status=200):
        plans = ContingencyPlan.objects.visible_to(request.user).select_related(
            "organisation__jurisdiction"
        )
        page = Paginator(plans, PAGE_SIZE).get_page(request.GET.get("page"))
        context = {
            "page": page,
            "form": form,
            "query": _query_without_page(request),
            "can_create": _may_write_somewhere(request.user),
        }
        return render(request, "drills/contingency_plan_list.html", context, status=status)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request, ContingencyPlanForm(user=request.user))

    def post(self, request: HttpRequest) -> HttpResponse:
        if not _may_write_somewhere(request.user):
            raise PermissionDenied
        form = ContingencyPlanForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                services.create_contingency_plan(actor=request.user, **form.cleaned_data)
                messages.success(request, _("Contingency plan registered."))
                return HttpResponseRedirect(reverse("drills:contingency_plans"))
            except DomainError as exc:
                raise_for(exc)
                form.add_domain_error(exc)
        return self._render(request, form, status=400)


# --- calendar and compliance ------------------------------------------------------------


class CalendarView(RegistryReaderRequiredMixin, View):
    """A month of drills; ``?month=2026-05``. htmx swaps the month in place."""

    def get(self, request: HttpRequest) -> HttpResponse:
        today = timezone.localdate()
        year, month = today.year, today.month
        raw = request.GET.get("month", "")
        try:
            y, m = (int(x) for x in raw.split("-"))
            if 2000 <= y <= 2100 and 1 <= m <= 12:
                year, month = y, m
        except ValueError:
            pass
        prev_y, prev_m = selectors.shift_month(year, month, -1)
        next_y, next_m = selectors.shift_month(year, month, 1)
        context = {
            "weeks": selectors.month_calendar(request.user, year, month, today),
            "month_start": date(year, month, 1),
            "prev": f"{prev_y:04d}-{prev_m:02d}",
            "next": f"{next_y:04d}-{next_m:02d}",
            "this_month": f"{today.year:04d}-{today.month:02d}",
            "can_create": _may_write_somewhere(request.user),
        }
        template = "drills/_calendar.html" if request.htmx else "drills/calendar.html"
        return render(request, template, context)


class ComplianceView(RegistryReaderRequiredMixin, View):
    """Who is due or overdue under the frequency rules, by jurisdiction."""

    def get(self, request: HttpRequest) -> HttpResponse:
        today = timezone.localdate()
        status = request.GET.get("status", "attention")
        statuses = {
            "attention": {ComplianceStatus.DUE, ComplianceStatus.OVERDUE},
            "all": None,
        }.get(status, {status} if status in ComplianceStatus.values else None)
        own = request.user.jurisdiction
        if request.user.is_superuser:
            jurisdictions = Jurisdiction.objects.all()
        elif own is not None:
            jurisdictions = Jurisdiction.objects.filter(path__startswith=own.path)
        else:
            jurisdictions = Jurisdiction.objects.none()
        jurisdictions = jurisdictions.filter(level__in=["province", "city", "county"])
        code = request.GET.get("jurisdiction", "")
        chosen = jurisdictions.filter(code=code).first() if code else None
        every_row = selectors.compliance(
            request.user, today=today, jurisdiction_path=chosen.path if chosen else ""
        )
        # The badges count everything in the jurisdiction; the table shows the filter.
        rows = [r for r in every_row if not statuses or r.status in statuses]
        groups: dict[str, dict[str, Any]] = {}
        for row in rows:
            j = row.organisation.jurisdiction
            groups.setdefault(j.path, {"jurisdiction": j, "rows": []})["rows"].append(row)
        context = {
            "groups": list(groups.values()),
            "today": today,
            "status": status,
            "statuses": ComplianceStatus.choices,
            "jurisdictions": jurisdictions,
            "chosen": chosen,
            "due_soon_days": selectors.DUE_SOON_DAYS,
            "counts": {
                s: sum(1 for r in every_row if r.status == s) for s in ComplianceStatus.values
            },
        }
        return render(request, "drills/compliance.html", context)
