"""Pages of the shelter register under /support/shelters/: the list with its map, the
detail, the form, and the indicator page listing each jurisdiction's per-capita shelter
area against its target (the bureau edits population and target inline). Every write
calls one service of ``support.shelters.services``."""

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
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from core.choices import JurisdictionLevel
from core.exceptions import DomainError
from core.models import Jurisdiction
from core.web import raise_for
from support.models import DEFAULT_AREA_PER_RESIDENT, Shelter
from support.shelters import facility_labels, selectors, services
from support.shelters.forms import IndicatorForm, ShelterFilter, ShelterForm
from support.shelters.permissions import (
    keeper_phone_for,
    may_edit_shelter,
    may_register_shelter,
    may_set_indicator,
    reads_shelters,
)

PAGE_SIZE = 50


class ShelterReaderRequiredMixin(LoginRequiredMixin):
    """Anonymous → login page; a role that may not read shelters → 403."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not reads_shelters(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


def _outline_url(jurisdiction: Jurisdiction | None) -> str:
    """The demo outline of the jurisdiction or its nearest ancestor (static/geo)."""
    from django.contrib.staticfiles import finders
    from django.contrib.staticfiles.storage import staticfiles_storage
    from django.templatetags.static import static

    if jurisdiction is None:
        return ""
    for code in reversed(jurisdiction.ancestors_and_self()):
        name = f"geo/{code}.geojson"
        if finders.find(name) or staticfiles_storage.exists(name):
            return static(name)
    return ""


def map_config(user: Any, points: list[dict[str, Any]]) -> dict[str, Any]:
    jurisdiction = user.jurisdiction
    return {
        "center": [
            float(jurisdiction.latitude) if jurisdiction and jurisdiction.latitude else 36.84,
            float(jurisdiction.longitude) if jurisdiction and jurisdiction.longitude else 115.71,
        ],
        "outlineUrl": _outline_url(jurisdiction),
        "jurisdiction": jurisdiction.code if jurisdiction else "",
        "tileUrl": settings.MAP_TILE_URL,
        "tileAttribution": settings.MAP_TILE_ATTRIBUTION,
        "shelters": points,
        "detailUrl": reverse("support:shelter_detail", args=[0]),
        "capacityLabel": _("Capacity"),
        "areaLabel": _("Effective area (m²)"),
    }


def _may_register_anywhere(user: Any) -> bool:
    own = user.jurisdiction
    return user.is_superuser or (own is not None and may_register_shelter(user, own))


def _filtered(request: HttpRequest) -> tuple[ShelterFilter, Any]:
    base = selectors.visible_shelters(request.user)
    filterset = ShelterFilter(request.GET, queryset=base, request=request)
    user = request.user
    places = Jurisdiction.objects.filter(
        level__in=[JurisdictionLevel.CITY, JurisdictionLevel.COUNTY, JurisdictionLevel.TOWNSHIP]
    )
    if not user.is_superuser:
        own = user.jurisdiction
        places = places.filter(path__startswith=own.path) if own else places.none()
    choices = [("", _("All jurisdictions"))] + [(j.code, j.name) for j in places.order_by("path")]
    fields = filterset.form.fields
    fields["jurisdiction"].widget = forms.Select(choices=choices)
    fields["jurisdiction"].label = _("Jurisdiction")
    fields["q"].widget.attrs["placeholder"] = _("Name or address")
    del fields["external_id"]
    for f in fields.values():
        f.widget.attrs["class"] = (
            "form-select form-select-sm"
            if isinstance(f.widget, forms.Select)
            else "form-control form-control-sm"
        )
    qs = filterset.qs if filterset.is_valid() else base.none()
    return filterset, qs


class ShelterListView(ShelterReaderRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        filterset, qs = _filtered(request)
        page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
        for shelter in page.object_list:
            shelter.keeper_phone_shown = keeper_phone_for(request.user, shelter)
        query = request.GET.copy()
        query.pop("page", None)
        context = {
            "filter": filterset,
            "page": page,
            "query": query.urlencode(),
            "can_register": _may_register_anywhere(request.user),
            "below": selectors.below_indicator(request.user),
            "map_config": map_config(request.user, selectors.map_points(qs)),
        }
        return render(request, "support/shelters/list.html", context)


class ShelterDetailView(ShelterReaderRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        shelter = get_object_or_404(selectors.visible_shelters(request.user), pk=pk)
        shelter.keeper_phone_shown = keeper_phone_for(request.user, shelter)
        context = {
            "shelter": shelter,
            "facilities": facility_labels(shelter.facilities),
            "can_edit": may_edit_shelter(request.user, shelter),
            "map_config": map_config(
                request.user, selectors.map_points(Shelter.objects.filter(pk=shelter.pk))
            ),
        }
        return render(request, "support/shelters/detail.html", context)


class ShelterFormView(ShelterReaderRequiredMixin, View):
    """Register (no pk) or edit (pk) a shelter."""

    def _shelter(self, request: HttpRequest, pk: int | None) -> Shelter | None:
        if pk is None:
            if not _may_register_anywhere(request.user):
                raise PermissionDenied
            return None
        shelter = get_object_or_404(selectors.visible_shelters(request.user), pk=pk)
        if not may_edit_shelter(request.user, shelter):
            raise PermissionDenied
        return shelter

    def _render(self, request, form, shelter, status=200):
        return render(
            request,
            "support/shelters/form.html",
            {"form": form, "shelter": shelter},
            status=status,
        )

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        shelter = self._shelter(request, pk)
        initial = {} if shelter else {"jurisdiction": request.user.jurisdiction}
        form = ShelterForm(instance=shelter, initial=initial, user=request.user)
        return self._render(request, form, shelter)

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        shelter = self._shelter(request, pk)
        form = ShelterForm(request.POST, instance=shelter, user=request.user)
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                if shelter is None:
                    shelter = services.create_shelter(actor=request.user, data=data)
                    messages.success(request, _("Shelter registered."))
                else:
                    services.update_shelter(actor=request.user, shelter_id=shelter.pk, data=data)
                    messages.success(request, _("Changes saved."))
                return HttpResponseRedirect(reverse("support:shelter_detail", args=[shelter.pk]))
            except DomainError as exc:
                raise_for(exc)
                form.add_domain_error(exc)
        return self._render(request, form, shelter, status=400)


def _indicator_rows(
    request: HttpRequest, failed: tuple[int, IndicatorForm] | None = None
) -> list[dict[str, Any]]:
    rows = selectors.per_capita(jurisdictions=selectors.indicator_jurisdictions(request.user))
    only_below = request.GET.get("below") == "1"
    out = []
    for row in rows:
        if only_below and not row.below:
            continue
        editable = may_set_indicator(request.user, row.jurisdiction)
        form = None
        if editable:
            if failed and failed[0] == row.jurisdiction.pk:
                form = failed[1]
            else:
                indicator = row.indicator
                form = IndicatorForm(
                    prefix=f"j{row.jurisdiction.pk}",
                    initial={
                        "resident_population": indicator.resident_population if indicator else None,
                        "area_per_resident": indicator.area_per_resident
                        if indicator
                        else DEFAULT_AREA_PER_RESIDENT,
                        "population_year": indicator.population_year if indicator else None,
                        "source": indicator.source if indicator else "",
                    },
                )
        out.append({"row": row, "form": form})
    return out


class IndicatorListView(ShelterReaderRequiredMixin, View):
    """Each jurisdiction: effective area, population, per capita against its target."""

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request)

    def _render(self, request, failed=None, status=200):
        rows = _indicator_rows(request, failed)
        context = {
            "rows": rows,
            "only_below": request.GET.get("below") == "1",
            "below_count": sum(1 for r in rows if r["row"].below),
        }
        return render(request, "support/shelters/indicators.html", context, status=status)

    def post(self, request: HttpRequest, jurisdiction_id: int) -> HttpResponse:
        visible = selectors.indicator_jurisdictions(request.user)
        jurisdiction = next((j for j in visible if j.pk == jurisdiction_id), None)
        if jurisdiction is None:
            jurisdiction = get_object_or_404(
                Jurisdiction.objects.filter(
                    path__startswith=request.user.jurisdiction.path
                    if request.user.jurisdiction
                    else "-"
                ),
                pk=jurisdiction_id,
            )
        if not may_set_indicator(request.user, jurisdiction):
            raise PermissionDenied
        form = IndicatorForm(request.POST, prefix=f"j{jurisdiction.pk}")
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.set_indicator(
                    actor=request.user,
                    jurisdiction_id=jurisdiction.pk,
                    resident_population=data["resident_population"],
                    area_per_resident=data["area_per_resident"],
                    population_year=data["population_year"],
                    source=data["source"],
                )
                messages.success(
                    request, _("Indicator of %(name)s saved.") % {"name": jurisdiction.name}
                )
                return HttpResponseRedirect(reverse("support:shelter_indicators"))
            except DomainError as exc:
                raise_for(exc)
                form.add_domain_error(exc)
        return self._render(request, failed=(jurisdiction.pk, form), status=400)
