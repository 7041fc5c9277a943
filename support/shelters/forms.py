"""Forms and the list filter of the shelter register and the indicator page. Field
parsing only: the rules are in ``support.shelters.services``."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import django_filters
from django import forms
from django.db.models import CharField, Q
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _

from core.forms import BootstrapFormMixin
from core.models import Jurisdiction, Organisation
from forces.filters import JurisdictionCodeFilter
from support.choices import ShelterKind, ShelterLevel
from support.models import Shelter
from support.shelters import FACILITIES


class ShelterFilter(django_filters.FilterSet):
    """One filter for the list page and the API."""

    q = django_filters.CharFilter(method="search", label=_("Search"))
    kind = django_filters.ChoiceFilter(choices=ShelterKind.choices, label=_("kind"))
    level = django_filters.ChoiceFilter(choices=ShelterLevel.choices, label=_("grade"))
    jurisdiction = JurisdictionCodeFilter(label=_("jurisdiction code"))
    facility = django_filters.ChoiceFilter(
        choices=FACILITIES, method="with_facility", label=_("facility")
    )
    is_active = django_filters.BooleanFilter(label=_("in service"))
    external_id = django_filters.CharFilter(label=_("external id"))

    class Meta:
        model = Shelter
        fields = ["q", "kind", "level", "jurisdiction", "facility", "is_active", "external_id"]

    def search(self, qs, name, value):
        value = (value or "").strip()
        if not value:
            return qs
        return qs.filter(Q(name__icontains=value) | Q(address__icontains=value))

    def with_facility(self, qs, name, value):
        # JSON list "contains" is not portable (SQLite): match the quoted code in its text.
        if not value:
            return qs
        return qs.annotate(_facilities=Cast("facilities", CharField())).filter(
            _facilities__contains=f'"{value}"'
        )


class ShelterForm(BootstrapFormMixin, forms.ModelForm):
    facilities = forms.MultipleChoiceField(
        label=_("facilities"),
        choices=FACILITIES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Shelter
        fields = [
            "name",
            "kind",
            "level",
            "jurisdiction",
            "owner",
            "address",
            "latitude",
            "longitude",
            "area_m2",
            "capacity",
            "facilities",
            "keeper_name",
            "keeper_phone",
            "is_active",
            "external_id",
        ]

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        places = Jurisdiction.objects.select_related("parent").order_by("path")
        owners = Organisation.objects.select_related("jurisdiction").order_by("name")
        if not user.is_superuser:
            own = user.jurisdiction
            path = own.path if own else "-"
            places = places.filter(path__startswith=path)
            owners = owners.filter(jurisdiction__path__startswith=path)
        field = self.fields["jurisdiction"]
        field.queryset = places
        field.label_from_instance = lambda j: f"{j.parent.name} {j.name}" if j.parent_id else j.name
        self.fields["owner"].queryset = owners
        self.fields["keeper_phone"].widget.attrs.update({"inputmode": "tel"})
        for name in ("latitude", "longitude"):
            self.fields[name].widget.attrs.update({"step": "0.000001"})

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            self.add_error("longitude", _("Give both coordinates or neither."))
        return data

    def _post_clean(self) -> None:
        # The service validates the instance (full_clean) under its lock; the form only
        # parses fields, so a refused write shows the service's per-field errors.
        return None


class IndicatorForm(BootstrapFormMixin, forms.Form):
    resident_population = forms.IntegerField(label=_("resident population"), min_value=1)
    area_per_resident = forms.DecimalField(
        label=_("target area per resident (m²)"),
        min_value=Decimal("0.01"),
        max_digits=5,
        decimal_places=2,
    )
    population_year = forms.IntegerField(
        label=_("population year"), min_value=1949, max_value=2100, required=False
    )
    source = forms.CharField(label=_("source"), max_length=200, required=False)
