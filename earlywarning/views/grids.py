"""Pages of the grid register (网格责任人) under /warnings/grids/: the list with masked
phones, create and edit, the Excel import with its row report, the export and the blank
template (DESIGN12). Every write calls one function of ``earlywarning.grids``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views import View

from core.choices import JurisdictionLevel
from core.exceptions import DomainError, ValidationFailed
from core.models import Jurisdiction
from core.permissions import can_see_personal_data
from core.replica import replica_reads
from core.web import raise_for
from earlywarning import grid_census
from earlywarning.grid_forms import GridFilter, GridForm, GridUploadForm
from earlywarning.grids import (
    can_manage_grids,
    can_read_grids,
    create_grid,
    phones_of,
    update_grid,
    visible_grids,
)
from earlywarning.models import Grid

PAGE_SIZE = 50


class GridReaderRequiredMixin(LoginRequiredMixin):
    """Anonymous → login page; a role that may not read grids → 403."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not can_read_grids(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class GridManagerRequiredMixin(LoginRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not (
            can_read_grids(request.user) and can_manage_grids(request.user)
        ):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


def _filtered(request: HttpRequest) -> tuple[GridFilter, Any]:
    base = visible_grids(request.user)
    filterset = GridFilter(request.GET, queryset=base, request=request)
    user = request.user
    places = Jurisdiction.objects.filter(
        level__in=[JurisdictionLevel.COUNTY, JurisdictionLevel.TOWNSHIP]
    )
    if not user.is_superuser:
        own = user.jurisdiction
        places = places.filter(path__startswith=own.path) if own else places.none()
    choices = [("", _("All jurisdictions"))] + [(j.code, j.name) for j in places.order_by("path")]
    fields = filterset.form.fields
    fields["jurisdiction"].widget = forms.Select(choices=choices)
    fields["q"].widget.attrs["placeholder"] = _("Grid, code or person")
    for f in fields.values():
        f.widget.attrs["class"] = (
            "form-select form-select-sm"
            if isinstance(f.widget, forms.Select)
            else "form-control form-control-sm"
        )
    qs = filterset.qs if filterset.is_valid() else base.none()
    return filterset, qs


class GridListView(GridReaderRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        filterset, qs = _filtered(request)
        page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
        show_all = can_see_personal_data(request.user, None)
        rows = []
        managed: dict[int, bool] = {}  # one decision per place, not per row
        for grid in page:
            if grid.jurisdiction_id not in managed:
                managed[grid.jurisdiction_id] = can_manage_grids(request.user, grid.jurisdiction)
            person_phone, supervisor_phone = phones_of(
                request.user, grid, shown=show_all or managed[grid.jurisdiction_id]
            )
            rows.append(
                {
                    "grid": grid,
                    "person_phone": person_phone,
                    "supervisor_phone": supervisor_phone,
                    "editable": managed[grid.jurisdiction_id],
                }
            )
        query = request.GET.copy()
        query.pop("page", None)
        context = {
            "filter": filterset,
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
            "can_manage": can_manage_grids(request.user),
        }
        template = (
            "earlywarning/grids/_grid_rows.html"
            if getattr(request, "htmx", False)
            else "earlywarning/grids/grid_list.html"
        )
        return render(request, template, context)


class GridFormView(GridReaderRequiredMixin, View):
    """Create (no pk) or edit (pk) a grid."""

    def _grid(self, request: HttpRequest, pk: int | None) -> Grid | None:
        if pk is None:
            if not can_manage_grids(request.user):
                raise PermissionDenied
            return None
        grid = get_object_or_404(visible_grids(request.user), pk=pk)
        if not can_manage_grids(request.user, grid.jurisdiction):
            raise PermissionDenied
        return grid

    def _render(self, request, form, grid, status=200):
        return render(
            request,
            "earlywarning/grids/grid_form.html",
            {"form": form, "grid": grid},
            status=status,
        )

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        grid = self._grid(request, pk)
        return self._render(request, GridForm(instance=grid, user=request.user), grid)

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        grid = self._grid(request, pk)
        form = GridForm(request.POST, instance=grid, user=request.user)
        if form.is_valid():
            try:
                if grid is None:
                    create_grid(actor=request.user, data=dict(form.cleaned_data))
                    messages.success(request, _("Grid registered."))
                else:
                    update_grid(actor=request.user, grid_id=grid.pk, data=dict(form.cleaned_data))
                    messages.success(request, _("Changes saved."))
                return HttpResponseRedirect(reverse("earlywarning:grid_list"))
            except DomainError as exc:
                raise_for(exc)
                form.add_domain_error(exc)
        return self._render(request, form, grid, status=400)


class GridImportView(GridManagerRequiredMixin, View):
    template_name = "earlywarning/grids/grid_import.html"

    def _render(self, request, form, report=None, status=200):
        form.fields["workbook"].widget.attrs["accept"] = f".xlsx,{grid_census.XLSX_CONTENT_TYPE}"
        context = {
            "form": form,
            "report": report,
            "max_mb": f"{settings.CENSUS_UPLOAD_MAX_BYTES / 1024 / 1024:g}",
        }
        return render(request, self.template_name, context, status=status)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request, GridUploadForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = GridUploadForm(request.POST, request.FILES)
        report = None
        if form.is_valid():
            try:
                report = grid_census.import_grids(
                    actor=request.user, upload=form.cleaned_data["workbook"]
                )
            except ValidationFailed as exc:
                form.add_error("workbook", exc.detail)
            except DomainError as exc:
                raise_for(exc)
                raise
        status = 200 if report is not None and report.ok else 400
        return self._render(request, form, report, status)


def _xlsx(content: bytes, prefix: str, fallback: str) -> HttpResponse:
    response = HttpResponse(content, content_type=grid_census.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = grid_census.content_disposition(prefix, fallback)
    # Personal data: never kept by a shared proxy or the browser cache.
    response["Cache-Control"] = "no-store"
    return response


class GridExportView(GridReaderRequiredMixin, View):
    """The grids of the list as filtered, phones masked as on the page."""

    def get(self, request: HttpRequest) -> HttpResponse:
        # Only reads: a replica may serve it.
        with replica_reads():
            _filterset, qs = _filtered(request)
            try:
                content = grid_census.export_grids(actor=request.user, queryset=qs)
            except DomainError as exc:
                raise_for(exc)
                raise
        return _xlsx(content, "网格责任人名册", "grids")


class GridTemplateView(GridReaderRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        return _xlsx(grid_census.template_workbook(), "网格责任人名册模板", "grid-template")


urlpatterns = [
    path("grids/", GridListView.as_view(), name="grid_list"),
    path("grids/new/", GridFormView.as_view(), name="grid_create"),
    path("grids/<int:pk>/edit/", GridFormView.as_view(), name="grid_edit"),
    path("grids/import/", GridImportView.as_view(), name="grid_import"),
    path("grids/export/", GridExportView.as_view(), name="grid_export"),
    path("grids/template/", GridTemplateView.as_view(), name="grid_template"),
]
