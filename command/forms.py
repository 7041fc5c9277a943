"""Forms of the incident pages. Field parsing only: rules are in command.services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from command.choices import IncidentLevel, IncidentStatus
from command.models import Incident, IncidentType
from core.forms import BootstrapFormMixin
from core.models import Jurisdiction

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class IncidentForm(BootstrapFormMixin, forms.ModelForm):
    """Record or update an incident (SPEC §3). ``received_at`` defaults to now."""

    class Meta:
        model = Incident
        fields = [
            "title",
            "received_at",
            "source",
            "incident_type",
            "level",
            "jurisdiction",
            "address",
            "latitude",
            "longitude",
            "area_type",
            "deaths",
            "injuries",
            "missing",
            "description",
        ]
        widgets = {
            "received_at": DATETIME_WIDGET,
            "description": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["received_at"].required = False
        self.fields["incident_type"].queryset = IncidentType.objects.order_by("code")
        self.fields["jurisdiction"].queryset = (
            Jurisdiction.objects.all()
            if user.is_superuser or user.jurisdiction is None
            else Jurisdiction.objects.filter(path__startswith=user.jurisdiction.path)
        )
        if not self.instance.pk:
            self.initial.setdefault("received_at", timezone.localtime().replace(second=0))
            if user.jurisdiction is not None:
                self.initial.setdefault("jurisdiction", user.jurisdiction.pk)

    def clean_received_at(self):
        return self.cleaned_data.get("received_at") or timezone.now()

    def service_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class IncidentFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    status = forms.ChoiceField(
        label=_("status"),
        required=False,
        choices=[("", _("Any status")), *IncidentStatus.choices],
    )
    level = forms.ChoiceField(
        label=_("level"), required=False, choices=[("", _("Any level")), *IncidentLevel.choices]
    )
    incident_type = forms.ModelChoiceField(
        label=_("type"),
        required=False,
        queryset=IncidentType.objects.order_by("code"),
        empty_label=_("Any type"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs.update(
            {"class": "form-control form-control-sm", "placeholder": _("Title or address")}
        )
        for name in ("status", "level", "incident_type"):
            self.fields[name].widget.attrs["class"] = "form-select form-select-sm"

    def filter(self, qs):
        if not self.is_valid():
            return qs
        data = self.cleaned_data
        if data["q"]:
            qs = qs.filter(Q(title__icontains=data["q"]) | Q(address__icontains=data["q"]))
        if data["status"]:
            qs = qs.filter(status=data["status"])
        if data["level"]:
            qs = qs.filter(level=data["level"])
        if data["incident_type"]:
            qs = qs.filter(incident_type=data["incident_type"])
        return qs
