"""Forms and the list filter of the grid register (网格责任人). Field parsing only: the
rules are in ``earlywarning.grids``."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import BootstrapFormMixin
from core.phones import validate_personal_phone
from earlywarning.grids import manageable_jurisdictions, search_grids
from earlywarning.models import Grid
from forces.filters import JurisdictionCodeFilter


class GridFilter(django_filters.FilterSet):
    """One filter for the list page and the API."""

    q = django_filters.CharFilter(method="search", label=_("Search"))
    jurisdiction = JurisdictionCodeFilter(label=_("jurisdiction code"))
    is_active = django_filters.BooleanFilter(label=_("active"))
    external_id = django_filters.CharFilter(label=_("external id"))

    class Meta:
        model = Grid
        fields = ["q", "jurisdiction", "is_active", "external_id"]

    def search(self, qs, name, value):
        return search_grids(qs, value or "")


class GridForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = Grid
        fields = [
            "jurisdiction",
            "code",
            "name",
            "person_name",
            "person_phone",
            "supervisor_name",
            "supervisor_phone",
            "households",
            "is_active",
            "external_id",
            "note",
        ]

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["jurisdiction"]
        field.queryset = manageable_jurisdictions(user).select_related("parent")
        field.label_from_instance = lambda j: f"{j.parent.name} {j.name}" if j.parent_id else j.name
        for name in ("person_phone", "supervisor_phone"):
            self.fields[name].widget.attrs.update({"inputmode": "tel", "autocomplete": "off"})
            # A person's phone is texted and called: no hotlines or short numbers.
            self.fields[name].validators.append(validate_personal_phone)


class GridUploadForm(BootstrapFormMixin, forms.Form):
    workbook = forms.FileField(label=_("Grid register (.xlsx)"))
