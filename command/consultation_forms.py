"""Forms of the 会商研判 pages and the command hand-over (the services decide)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from command.choices import CommandAuthority, IncidentLevel
from core.choices import OrganisationKind
from core.forms import BootstrapFormMixin
from core.masking import mask_phone
from core.models import Jurisdiction, Organisation
from forces.models import Expert

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DEPARTMENT_KINDS = (
    OrganisationKind.EMERGENCY_BUREAU,
    OrganisationKind.FIRE_RESCUE,
    OrganisationKind.INDUSTRY_DEPARTMENT,
    OrganisationKind.GOVERNMENT_OFFICE,
    OrganisationKind.HOTLINE_12345,
    OrganisationKind.MARITIME_SAR,
    OrganisationKind.ENTERPRISE,
)


def area_q(prefix: str, area: Jurisdiction) -> Q:
    """Rows whose jurisdiction is the area, below it, or one of its ancestors."""
    ancestors = [area.path[: i + 1] for i, ch in enumerate(area.path) if ch == "/"]
    return Q(**{f"{prefix}__path__startswith": area.path}) | Q(**{f"{prefix}__path__in": ancestors})


class ExpertChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Expert) -> str:
        parts = [obj.name, obj.title, obj.field, obj.employer, mask_phone(obj.phone)]
        return " · ".join(p for p in parts if p)


class ConsultationForm(BootstrapFormMixin, forms.Form):
    topic = forms.CharField(label=_("topic"), max_length=150)
    held_at = forms.DateTimeField(label=_("held at"), widget=DATETIME_WIDGET)
    place = forms.CharField(label=_("place"), max_length=100, required=False)
    chaired_by = forms.CharField(label=_("chaired by"), max_length=100, required=False)
    departments = forms.ModelMultipleChoiceField(
        label=_("departments"),
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    experts = ExpertChoiceField(
        label=_("experts"),
        queryset=Expert.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("From the expert database of the area and the levels above it."),
    )
    other_participants = forms.CharField(
        label=_("other participants"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    situation = forms.CharField(
        label=_("situation"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    conclusions = forms.CharField(
        label=_("conclusions"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    recommended_level = forms.ChoiceField(
        label=_("recommended response level"),
        required=False,
        choices=[("", "—"), *[(v, lbl) for v, lbl in IncidentLevel.choices if v != "unassessed"]],
    )

    def __init__(self, *args: Any, area: Jurisdiction, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["departments"].queryset = (
            Organisation.objects.filter(area_q("jurisdiction", area), is_active=True)
            .filter(kind__in=DEPARTMENT_KINDS)
            .select_related("jurisdiction")
            .order_by("jurisdiction__path", "name")
        )
        self.fields["experts"].queryset = (
            Expert.objects.filter(area_q("jurisdiction", area))
            .select_related("jurisdiction")
            .order_by("jurisdiction__path", "name")
        )


class ConcludeForm(BootstrapFormMixin, forms.Form):
    conclusions = forms.CharField(label=_("conclusions"), widget=forms.Textarea(attrs={"rows": 4}))
    recommended_level = ConsultationForm.base_fields["recommended_level"]


class CommandTransferForm(BootstrapFormMixin, forms.Form):
    to_authority = forms.ChoiceField(label=_("who takes command"), choices=CommandAuthority.choices)
    to_commander = forms.CharField(label=_("commander"), max_length=100)
    to_organisation = forms.ModelChoiceField(
        label=_("commanding organisation"), queryset=Organisation.objects.none(), required=False
    )
    note = forms.CharField(
        label=_("note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when command goes back (for example: the special plan has ended)."),
    )

    def __init__(self, *args: Any, area: Jurisdiction, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_organisation"].queryset = (
            Organisation.objects.filter(area_q("jurisdiction", area), is_active=True)
            .filter(kind__in=DEPARTMENT_KINDS)
            .order_by("jurisdiction__path", "name")
        )
