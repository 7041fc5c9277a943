"""Forms of the incident pages. Field parsing only: rules are in command.services."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from command.choices import CoordinateSystem, IncidentLevel, IncidentStatus
from command.models import Incident, IncidentType
from core import geo
from core.choices import OrganisationKind
from core.forms import BootstrapFormMixin
from core.models import Jurisdiction, Organisation

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
_MICRO = Decimal("0.000001")


def to_wgs84(lat: Decimal, lon: Decimal, datum: str) -> tuple[Decimal, Decimal]:
    """Coordinates read in ``datum`` as WGS-84, to the stored six decimals."""
    if datum == CoordinateSystem.WGS84:
        return lat, lon
    w_lat, w_lon = geo.to_wgs84(float(lat), float(lon), datum)
    return (
        Decimal(repr(w_lat)).quantize(_MICRO, ROUND_HALF_UP),
        Decimal(repr(w_lon)).quantize(_MICRO, ROUND_HALF_UP),
    )


class IncidentForm(BootstrapFormMixin, forms.ModelForm):
    """Record or update an incident (SPEC §3; Zhoushan §二.3): the caller and call-back
    number, the place as an address and/or a point picked on the map (its datum said,
    converted to WGS-84). ``received_at`` defaults to now. The level is set when the
    incident is recorded; afterwards it changes only by a re-assessment."""

    datum = forms.ChoiceField(
        label=_("coordinates read on"),
        choices=CoordinateSystem.choices,
        initial=CoordinateSystem.WGS84,
        required=False,
        help_text=_("Coordinates from Gaode/Tencent (GCJ-02) or Baidu (BD-09) are converted."),
    )

    class Meta:
        model = Incident
        fields = [
            "title",
            "received_at",
            "source",
            "caller_name",
            "callback_phone",
            "incident_type",
            "level",
            "jurisdiction",
            "address",
            "latitude",
            "longitude",
            "datum",
            "area_type",
            "deaths",
            "injuries",
            "missing",
            "description",
        ]
        widgets = {
            "received_at": DATETIME_WIDGET,
            "description": forms.Textarea(attrs={"rows": 4}),
            "callback_phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
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
        self.fields["latitude"].widget.attrs["step"] = "0.000001"
        self.fields["longitude"].widget.attrs["step"] = "0.000001"
        if self.instance.pk:
            # A recorded incident's level changes by a re-assessment with a reason.
            del self.fields["level"]
        else:
            self.initial.setdefault("received_at", timezone.localtime().replace(second=0))
            if user.jurisdiction is not None:
                self.initial.setdefault("jurisdiction", user.jurisdiction.pk)

    def clean_received_at(self):
        return self.cleaned_data.get("received_at") or timezone.now()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        lat, lon = data.get("latitude"), data.get("longitude")
        if (lat is None) != (lon is None):
            self.add_error(
                "longitude" if lon is None else "latitude",
                _("Give both latitude and longitude, or neither."),
            )
        elif lat is None and not (data.get("address") or "").strip():
            self.add_error("address", _("Give an address or pick the place on the map."))
        elif lat is not None:
            data["latitude"], data["longitude"] = to_wgs84(
                lat, lon, data.get("datum") or CoordinateSystem.WGS84
            )
        return data

    def service_data(self) -> dict[str, Any]:
        return {
            name: self.cleaned_data[name]
            for name in self.Meta.fields
            if name in self.fields and name != "datum"
        }


class HotlineTransferForm(BootstrapFormMixin, forms.Form):
    summary = forms.CharField(label=_("summary"), widget=forms.Textarea(attrs={"rows": 3}))
    work_order_number = forms.CharField(label=_("work order number"), max_length=40, required=False)


class HotlineReplyForm(BootstrapFormMixin, forms.Form):
    reply = forms.CharField(label=_("reply"), widget=forms.Textarea(attrs={"rows": 3}))
    work_order_number = forms.CharField(label=_("work order number"), max_length=40, required=False)


class HandOverForm(BootstrapFormMixin, forms.Form):
    """首接负责制: the responsible unit that has arrived and takes the case over."""

    to_unit = forms.ModelChoiceField(label=_("taken over by"), queryset=Organisation.objects.none())
    note = forms.CharField(
        label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, incident: Incident, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        place = incident.jurisdiction
        ancestors = [
            "".join(f"{c}/" for c in place.ancestors_and_self()[: i + 1])
            for i in range(len(place.ancestors_and_self()))
        ]
        self.fields["to_unit"].queryset = (
            Organisation.objects.filter(is_active=True)
            .filter(
                Q(jurisdiction__path__in=ancestors) | Q(jurisdiction__path__startswith=place.path)
            )
            .exclude(kind__in=[OrganisationKind.MARITIME_SAR, OrganisationKind.HOTLINE_12345])
            .exclude(pk=incident.handling_unit_id)
            .select_related("jurisdiction")
            .order_by("jurisdiction__path", "kind", "name")
        )


class MaritimeForm(BootstrapFormMixin, forms.Form):
    note = forms.CharField(
        label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class NoteForm(BootstrapFormMixin, forms.Form):
    text = forms.CharField(label=_("progress"), widget=forms.Textarea(attrs={"rows": 3}))


class ReassessForm(BootstrapFormMixin, forms.Form):
    level = forms.ChoiceField(label=_("new level"), choices=IncidentLevel.choices)
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 2}))


class CloseForm(BootstrapFormMixin, forms.Form):
    end_open_work = forms.BooleanField(label=_("End the open work"), required=False)
    reason = forms.CharField(
        label=_("reason"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


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
