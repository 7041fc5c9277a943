"""Census (普查) pages: download an organisation's workbook, upload it back (SPEC §2;
Rongcheng §四.二.1). The work is done by ``forces.census``; these views only pick the
organisation, check who may do what and render the report."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views import View

from core.exceptions import DomainError, ValidationFailed
from core.models import Organisation
from core.permissions import can_manage_organisation_data
from core.replica import replica_reads
from core.roles import Role
from core.web import RegistryReaderRequiredMixin, raise_for
from forces import census
from forces.forms import CensusUploadForm


def census_organisation(user: Any, raw: str | None) -> Organisation:
    """The organisation named by ``raw`` (default: the user's own); 404 outside the
    user's jurisdiction."""
    if not raw:
        if not user.organisation_id:
            raise Http404
        raw = str(user.organisation_id)
    if not raw.isdigit():
        raise Http404
    return get_object_or_404(
        Organisation.objects.visible_to(user).select_related("jurisdiction"), pk=int(raw)
    )


def manageable_organisations(user: Any) -> QuerySet[Organisation]:
    """Organisations whose census the user may import: administrators every one in
    their jurisdiction, department editors their own."""
    visible = Organisation.objects.visible_to(user).select_related("jurisdiction")
    if user.is_superuser or user.has_role(Role.ADMINISTRATOR):
        return visible
    if user.has_role(Role.DEPARTMENT_EDITOR) and user.organisation_id:
        return visible.filter(pk=user.organisation_id)
    return visible.none()


class CensusView(RegistryReaderRequiredMixin, View):
    template_name = "forces/census.html"

    def _render(
        self,
        request: HttpRequest,
        form: CensusUploadForm,
        *,
        selected: Organisation | None = None,
        report: census.CensusReport | None = None,
        status: int = 200,
    ) -> HttpResponse:
        importable = list(manageable_organisations(request.user))
        # Readers who import nothing may still download (masked) workbooks.
        exportable = importable or list(
            Organisation.objects.visible_to(request.user).select_related("jurisdiction")
        )
        if selected is None and request.user.organisation_id:
            selected = next((o for o in exportable if o.pk == request.user.organisation_id), None)
        form.fields["workbook"].widget.attrs["accept"] = f".xlsx,{census.XLSX_CONTENT_TYPE}"
        context = {
            "form": form,
            "importable": importable,
            "exportable": exportable,
            "selected": selected,
            "report": report,
            "max_mb": f"{settings.CENSUS_UPLOAD_MAX_BYTES / 1024 / 1024:g}",
            "sheet_titles": "、".join(s.title for s in census.SHEETS),
        }
        return render(request, self.template_name, context, status=status)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request, CensusUploadForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        organisation = census_organisation(request.user, request.POST.get("organisation"))
        if not can_manage_organisation_data(request.user, organisation):
            raise PermissionDenied
        form = CensusUploadForm(request.POST, request.FILES)
        report = None
        if form.is_valid():
            try:
                report = census.import_census(
                    actor=request.user,
                    organisation=organisation,
                    upload=form.cleaned_data["workbook"],
                )
            except ValidationFailed as exc:
                form.add_error("workbook", exc.detail)
            except DomainError as exc:
                raise_for(exc)
                raise
        status = 200 if report is not None and report.ok else 400
        return self._render(request, form, selected=organisation, report=report, status=status)


class CensusExportView(RegistryReaderRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        # A workbook of the whole registry only reads: a replica may serve it.
        with replica_reads():
            organisation = census_organisation(request.user, request.GET.get("organisation"))
            try:
                content = census.export_census(actor=request.user, organisation=organisation)
            except DomainError as exc:
                raise_for(exc)
                raise
        return xlsx_response(content, organisation)


def xlsx_response(content: bytes, organisation: Organisation) -> HttpResponse:
    response = HttpResponse(content, content_type=census.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = census.content_disposition(organisation)
    # Personal data: never kept by a shared proxy or the browser cache.
    response["Cache-Control"] = "no-store"
    return response
