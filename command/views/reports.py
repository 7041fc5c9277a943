"""30-minute reporting pages (Tieling §三.(二).2): the required reports of the user's
jurisdiction with deadlines and 迟报 flags, a report with its submit and receive forms,
the printable PDF, and the bureau's reporting rules. Every write calls one service in
``command.reports``; buttons use the predicates the services use."""

from __future__ import annotations

import mimetypes
import os
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views import View

from command import reports
from command.choices import ReportStatus
from command.models import IncidentReport, ReportAttachment, ReportRule
from command.report_forms import (
    ReportFilterForm,
    ReportReceiveForm,
    ReportRuleForm,
    ReportSubmitForm,
)
from core import web
from core.exceptions import DomainError
from core.web import raise_for

PAGE_SIZE = 30


class ReportReaderMixin(web.RoleRequiredMixin):
    def allowed(self, user: Any) -> bool:
        return reports.can_read_reports(user)


class RuleEditorMixin(web.RoleRequiredMixin):
    def allowed(self, user: Any) -> bool:
        return reports.can_edit_rules(user)


class ReportListView(ReportReaderMixin, View):
    """Required reports by deadline; filters: due, late, submitted."""

    def get(self, request: HttpRequest) -> HttpResponse:
        form = ReportFilterForm(request.GET or None)
        state = form.cleaned_data.get("state", "") if form.is_valid() else ""
        qs = reports.filtered(reports.visible_reports(request.user), state).order_by(
            "status", "due_at", "pk"
        )
        page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
        context = {
            "filter_form": form,
            "state": state,
            "page": page,
            "panel": reports.deadline_panel(request.user, rows=0),
            "can_edit_rules": reports.can_edit_rules(request.user),
        }
        return render(request, "command/reports/list.html", context)


def _report(request: HttpRequest, pk: int) -> IncidentReport:
    return get_object_or_404(
        reports.visible_reports(request.user)
        .select_related("incident__incident_type", "rule", "submitted_by__organisation")
        .prefetch_related(
            Prefetch("attachments", queryset=ReportAttachment.objects.select_related("uploaded_by"))
        ),
        pk=pk,
    )


def _detail(request, report, *, submit_form=None, receive_form=None, status=200) -> HttpResponse:
    user = request.user
    can_submit = report.status == ReportStatus.DUE and reports.can_send_reports(
        user, report.incident
    )
    can_receive = report.status == ReportStatus.SUBMITTED and reports.can_receive_report(
        user, report
    )
    if can_submit and submit_form is None:
        submit_form = ReportSubmitForm(
            initial={
                "title": _("Report on %(incident)s (%(kind)s)")
                % {"incident": report.incident.title, "kind": reports.kind_label(report)}
            }
        )
    context = {
        "report": report,
        "incident": report.incident,
        "kind_label": reports.kind_label(report),
        "submit_form": submit_form if can_submit else None,
        "receive_form": (receive_form or ReportReceiveForm()) if can_receive else None,
    }
    return render(request, "command/reports/detail.html", context, status=status)


class ReportDetailView(ReportReaderMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return _detail(request, _report(request, pk))


class ReportSubmitView(ReportReaderMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        report = _report(request, pk)
        form = ReportSubmitForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                reports.submit_report(
                    actor=request.user,
                    report_id=report.pk,
                    title=form.cleaned_data["title"],
                    body=form.cleaned_data["body"],
                    attachments=form.cleaned_data["attachments"],
                )
                messages.success(request, _("Report submitted."))
                return HttpResponseRedirect(reverse("command:report_detail", args=[report.pk]))
            except DomainError as exc:
                raise_for(exc)
                form.add_domain_error(exc)
        return _detail(request, _report(request, pk), submit_form=form, status=400)


class ReportReceiveView(ReportReaderMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        report = _report(request, pk)
        form = ReportReceiveForm(request.POST)
        if form.is_valid():
            try:
                reports.receive_report(
                    actor=request.user,
                    report_id=report.pk,
                    received_by=form.cleaned_data["received_by"],
                )
                messages.success(request, _("Receipt recorded."))
                return HttpResponseRedirect(reverse("command:report_detail", args=[report.pk]))
            except DomainError as exc:
                raise_for(exc)
                form.add_domain_error(exc)
        return _detail(request, _report(request, pk), receive_form=form, status=400)


class ReportPdfView(ReportReaderMixin, View):
    """The printable report; a report not yet submitted prints as a draft."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        from command.report_pdf import report_pdf

        report = _report(request, pk)
        response = HttpResponse(report_pdf(report), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="report-{report.pk}.pdf"'
        return response


class ReportAttachmentView(ReportReaderMixin, View):
    def get(self, request: HttpRequest, pk: int, attachment_pk: int) -> FileResponse:
        report = _report(request, pk)
        attachment = get_object_or_404(ReportAttachment, pk=attachment_pk, report=report)
        content_type = (
            reports.CONTENT_TYPES.get(os.path.splitext(attachment.name)[1].lower().lstrip("."))
            or mimetypes.guess_type(attachment.name)[0]
            or "application/octet-stream"
        )
        return FileResponse(
            attachment.file.open("rb"),
            as_attachment=not content_type.startswith("image/"),
            filename=attachment.name,
            content_type=content_type,
        )


class RuleListView(ReportReaderMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        rules = ReportRule.objects.select_related("jurisdiction").prefetch_related("incident_types")
        if not user.is_superuser:
            # The rules above the user's jurisdiction apply to it too: they are shown.
            own = user.jurisdiction
            rules = (
                rules.filter(
                    Q(jurisdiction__path__startswith=own.path)
                    | Q(jurisdiction__code__in=own.ancestors_and_self())
                )
                if own is not None
                else rules.none()
            )
        rows = list(rules.order_by("jurisdiction__path", "name"))
        for rule in rows:
            rule.editable = reports.can_edit_rules(request.user, rule.jurisdiction)
        context = {"rules": rows, "can_create": reports.can_edit_rules(request.user)}
        return render(request, "command/reports/rule_list.html", context)


class RuleFormView(RuleEditorMixin, View):
    def _rule(self, request: HttpRequest, pk: int | None) -> ReportRule | None:
        if pk is None:
            return None
        return get_object_or_404(ReportRule.objects.visible_to(request.user), pk=pk)

    def _render(self, request, form, rule, status=200) -> HttpResponse:
        return render(
            request, "command/reports/rule_form.html", {"form": form, "rule": rule}, status=status
        )

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        rule = self._rule(request, pk)
        initial = {"incident_types": list(rule.incident_types.all())} if rule else None
        return self._render(request, ReportRuleForm(instance=rule, initial=initial), rule)

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        rule = self._rule(request, pk)
        form = ReportRuleForm(request.POST, instance=rule)
        if form.is_valid():
            try:
                reports.save_rule(
                    actor=request.user,
                    data=form.service_data(),
                    incident_types=form.cleaned_data["incident_types"],
                    rule_id=rule.pk if rule else None,
                )
                messages.success(request, _("Reporting rule saved."))
                return HttpResponseRedirect(reverse("command:report_rule_list"))
            except DomainError as exc:
                raise_for(exc)
                form.add_domain_error(exc)
        return self._render(request, form, rule, status=400)


urlpatterns = [
    path("reports/", ReportListView.as_view(), name="report_list"),
    path("reports/<int:pk>/", ReportDetailView.as_view(), name="report_detail"),
    path("reports/<int:pk>/submit/", ReportSubmitView.as_view(), name="report_submit"),
    path("reports/<int:pk>/receive/", ReportReceiveView.as_view(), name="report_receive"),
    path("reports/<int:pk>/pdf/", ReportPdfView.as_view(), name="report_pdf"),
    path(
        "reports/<int:pk>/attachments/<int:attachment_pk>/",
        ReportAttachmentView.as_view(),
        name="report_attachment",
    ),
    path("reports/rules/", RuleListView.as_view(), name="report_rule_list"),
    path("reports/rules/new/", RuleFormView.as_view(), name="report_rule_create"),
    path("reports/rules/<int:pk>/edit/", RuleFormView.as_view(), name="report_rule_edit"),
]
