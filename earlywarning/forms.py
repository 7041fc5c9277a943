"""Forms of the warning pages. Field parsing and what the page offers only: every rule
(who may issue which hazard where, levels, times, polygons) is in earlywarning.services,
whose refusals the forms display on their fields."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.choices import JurisdictionLevel, OrganisationKind
from core.forms import BootstrapFormMixin
from core.models import Jurisdiction
from earlywarning.choices import (
    KEY_PERIOD_LEVELS,
    Certainty,
    Urgency,
    WarningLevel,
    WarningStatus,
)
from earlywarning.models import HazardType, HazardWarning
from forces.models import Specialty

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DEFAULT_VALIDITY = timedelta(hours=24)
# The fields are named as WarningData's, so a service's field errors land on them.


def issuable_hazard_types(user: Any):
    """The hazard types ``user``'s department issues: an industry department's editor
    issues those of its sector (DESIGN12 ``may_issue``; the service checks again)."""
    organisation = getattr(user, "organisation", None)
    if (
        organisation is None
        or organisation.kind != OrganisationKind.INDUSTRY_DEPARTMENT
        or not organisation.sector
    ):
        return HazardType.objects.none()
    return HazardType.objects.filter(is_active=True, sector=organisation.sector)


def area_queryset(user: Any):
    """Jurisdictions in the user's jurisdiction (itself and below)."""
    jurisdiction = getattr(user, "jurisdiction", None)
    if jurisdiction is None:
        return Jurisdiction.objects.none()
    return Jurisdiction.objects.filter(path__startswith=jurisdiction.path).order_by("path")


def grouped_area_choices(areas: list[Jurisdiction]) -> list[tuple[str, list[tuple[int, str]]]]:
    """Areas grouped by township: a township's group holds itself and its villages; what
    is above township level forms the first group, named after the highest of them."""
    top: list[tuple[int, str]] = []
    groups: dict[str, tuple[str, list[tuple[int, str]]]] = {}
    townships = {a.path: a for a in areas if a.level == JurisdictionLevel.TOWNSHIP}
    for area in areas:
        if area.level in (JurisdictionLevel.TOWNSHIP, JurisdictionLevel.VILLAGE):
            township = next((t for p, t in townships.items() if area.path.startswith(p)), None)
            if township is not None:
                label = area.name if area.pk == township.pk else f"　{area.name}"
                groups.setdefault(township.path, (township.name, []))[1].append((area.pk, label))
                continue
        top.append((area.pk, area.name))
    result: list[tuple[str, list[tuple[int, str]]]] = []
    if top:
        result.append((areas[0].name if areas else "", top))
    result.extend(groups[path] for path in sorted(groups))
    return result


class AreaField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Jurisdiction) -> str:
        return obj.name


class WarningForm(BootstrapFormMixin, forms.Form):
    """A draft warning: what the issuing department says, where and for how long."""

    hazard_type = forms.ModelChoiceField(label=_("hazard type"), queryset=HazardType.objects.none())
    level = forms.ChoiceField(label=_("level"), choices=WarningLevel.choices)
    areas = AreaField(
        label=_("warning area"),
        queryset=Jurisdiction.objects.none(),
        help_text=_("One or more jurisdictions; hold Ctrl (⌘) to choose several."),
    )
    area_description = forms.CharField(
        label=_("area description"),
        max_length=300,
        required=False,
        help_text=_("Leave empty to use the names of the areas."),
    )
    polygon = forms.CharField(
        label=_("polygon"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "spellcheck": "false"}),
        help_text=_(
            'Optional. Draw it on the map, or paste CAP text: "lat,lon lat,lon …", '
            "the first point repeated last."
        ),
    )
    headline = forms.CharField(label=_("headline"), max_length=160)
    description = forms.CharField(
        label=_("text"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000
    )
    instruction = forms.CharField(
        label=_("instructions to the public"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    force_instruction = forms.CharField(
        label=_("instructions to forces"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    effective_at = forms.DateTimeField(label=_("effective"), widget=DATETIME_WIDGET)
    expires_at = forms.DateTimeField(label=_("expires"), widget=DATETIME_WIDGET)
    urgency = forms.ChoiceField(
        label=_("urgency"), choices=Urgency.choices, initial=Urgency.EXPECTED
    )
    certainty = forms.ChoiceField(
        label=_("certainty"), choices=Certainty.choices, initial=Certainty.LIKELY
    )
    opens_key_period = forms.BooleanField(
        label=_("opens a roll-call key period"),
        required=False,
        help_text=_("Orange and red only: roll calls of the area run daily while it is in force."),
    )

    def __init__(
        self, *args: Any, user: Any, warning: HazardWarning | None = None, **kwargs: Any
    ) -> None:
        if warning is not None and "initial" not in kwargs:
            kwargs["initial"] = initial_from(warning)
        super().__init__(*args, **kwargs)
        if warning is None and not self.is_bound:
            now = timezone.localtime().replace(second=0, microsecond=0)
            self.initial.setdefault("effective_at", now)
            self.initial.setdefault("expires_at", now + DEFAULT_VALIDITY)
        hazard_types = issuable_hazard_types(user)
        if warning is not None:
            # An imported draft keeps its hazard type even if it is not the user's sector.
            hazard_types = hazard_types | HazardType.objects.filter(pk=warning.hazard_type_id)
        self.fields["hazard_type"].queryset = hazard_types.distinct()
        areas = area_queryset(user)
        if warning is not None:
            areas = areas | Jurisdiction.objects.filter(pk__in=warning.areas.values("pk"))
        areas = areas.distinct().order_by("path")
        self.fields["areas"].queryset = areas
        self.fields["areas"].choices = grouped_area_choices(list(areas))
        self.fields["areas"].widget.attrs.update({"size": "10", "class": "form-select area-select"})
        self.fields["polygon"].widget.attrs["class"] = "form-control font-monospace polygon-text"
        self.fields["level"].widget.attrs["class"] = "form-select warning-level-select"
        self.key_period_levels = sorted(KEY_PERIOD_LEVELS)

    def clean_polygon(self) -> str:
        text = " ".join(self.cleaned_data.get("polygon", "").split())
        if not text:
            return ""
        pairs = []
        for token in text.split(" "):
            parts = token.split(",")
            try:
                if len(parts) != 2:
                    raise ValueError(token)
                lat, lon = float(parts[0]), float(parts[1])
            except ValueError:
                raise forms.ValidationError(
                    _("“%(token)s” is not a “lat,lon” pair."), params={"token": token}
                ) from None
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                raise forms.ValidationError(
                    _("“%(token)s” is outside the range of latitude and longitude."),
                    params={"token": token},
                )
            pairs.append((lat, lon))
        if pairs and pairs[0] != pairs[-1]:
            raise forms.ValidationError(_("The first point must be repeated as the last."))
        if len(pairs) < 4:
            raise forms.ValidationError(_("A polygon needs at least three points."))
        return text

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        effective, expires = data.get("effective_at"), data.get("expires_at")
        if effective and expires and expires <= effective:
            self.add_error("expires_at", _("The expiry must be after the effective time."))
        if data.get("opens_key_period") and data.get("level") not in KEY_PERIOD_LEVELS:
            self.add_error("opens_key_period", _("Only orange and red warnings open a key period."))
        return data

    def warning_data(self) -> Any:
        """The service's ``WarningData`` of the cleaned form."""
        from earlywarning.services import WarningData

        d = self.cleaned_data
        return WarningData(
            hazard_type=d["hazard_type"],
            level=d["level"],
            areas=list(d["areas"]),
            headline=d["headline"],
            description=d["description"],
            effective_at=d["effective_at"],
            expires_at=d["expires_at"],
            instruction=d.get("instruction") or "",
            force_instruction=d.get("force_instruction") or "",
            polygon=d.get("polygon") or "",
            area_description=d.get("area_description") or "",
            urgency=d["urgency"],
            certainty=d["certainty"],
            opens_key_period=bool(d.get("opens_key_period")),
        )


def initial_from(warning: HazardWarning) -> dict[str, Any]:
    return {
        "hazard_type": warning.hazard_type_id,
        "level": warning.level,
        "areas": list(warning.areas.values_list("pk", flat=True)),
        "area_description": warning.area_description,
        "polygon": warning.polygon,
        "headline": warning.headline,
        "description": warning.description,
        "instruction": warning.instruction,
        "force_instruction": warning.force_instruction,
        "effective_at": timezone.localtime(warning.effective_at),
        "expires_at": timezone.localtime(warning.expires_at),
        "urgency": warning.urgency,
        "certainty": warning.certainty,
        "opens_key_period": warning.opens_key_period,
    }


class CancelForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("reason for cancelling"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": _("reason for cancelling")}),
    )


class RelayForm(BootstrapFormMixin, forms.Form):
    """The bureau sends a published warning on to more forces (DESIGN12 relay_warning)."""

    specialties = forms.ModelMultipleChoiceField(
        label=_("specialties"),
        queryset=Specialty.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen: forces of every specialty."),
    )
    jurisdictions = AreaField(
        label=_("jurisdictions"),
        queryset=Jurisdiction.objects.none(),
        required=False,
        help_text=_("None chosen: the warning's area within your jurisdiction."),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        areas = area_queryset(user).exclude(level=JurisdictionLevel.VILLAGE)
        self.fields["jurisdictions"].queryset = areas
        self.fields["jurisdictions"].widget.attrs.update({"size": "5"})


class WarningFilterForm(forms.Form):
    """Filters of the warning list (history and active alike)."""

    hazard_type = forms.ModelChoiceField(
        label=_("hazard type"),
        queryset=HazardType.objects.all(),
        required=False,
        empty_label=_("Any hazard"),
    )
    level = forms.ChoiceField(
        label=_("level"), choices=[("", _("Any level")), *WarningLevel.choices], required=False
    )
    status = forms.ChoiceField(
        label=_("status"),
        choices=[("", _("Any status")), *WarningStatus.choices],
        required=False,
    )
    q = forms.CharField(label=_("search"), required=False, max_length=100)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs["class"] = f"{css} form-select-sm form-control-sm"
        self.fields["q"].widget.attrs["placeholder"] = _("headline or area")
