"""Forms of the roster, duty log and spot-check pages. They only parse input; the
rules are in ``duty.rosters.services``."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import BootstrapFormMixin
from core.models import Organisation
from duty.models import DutyLogCategory, DutyRoster, Shift, ShiftOfficer, SpotCheck
from duty.rosters.services import OfficerInput
from forces.models import Force
from forces.validators import validate_personal_phone

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format=DATETIME_FORMAT, **kwargs)


def _datetime_field(label: Any, **kwargs: Any) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        widget=LocalDateTimeInput(),
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        **kwargs,
    )


class RosterForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(label=_("name"), max_length=150)
    organisation = forms.ModelChoiceField(
        label=_("owning organisation"), queryset=Organisation.objects.none()
    )
    force = forms.ModelChoiceField(
        label=_("rescue force"), queryset=Force.objects.none(), required=False
    )
    partners = forms.ModelMultipleChoiceField(
        label=_("joint duty partners"),
        queryset=Organisation.objects.none(),
        required=False,
        help_text=_("Organisations keeping joint duty (联合值守) on this roster."),
    )
    is_active = forms.BooleanField(label=_("active"), required=False, initial=True)

    def __init__(self, *args: Any, user: Any, roster: DutyRoster | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        visible = Organisation.objects.visible_to(user).select_related("jurisdiction")
        self.fields["organisation"].queryset = visible
        self.fields["partners"].queryset = visible
        self.fields["force"].queryset = Force.objects.visible_to(user)
        if roster is not None:
            del self.fields["organisation"]
            del self.fields["force"]
        else:
            del self.fields["is_active"]
            self.fields["organisation"].initial = user.organisation_id


class ShiftForm(BootstrapFormMixin, forms.ModelForm):
    starts_at = _datetime_field(_("starts"))
    ends_at = _datetime_field(_("ends"))

    class Meta:
        model = Shift
        fields = ["starts_at", "ends_at", "leader_name", "leader_phone", "notes"]


class OfficerForm(BootstrapFormMixin, forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(label=ShiftOfficer._meta.get_field("name").verbose_name, max_length=50)
    phone = forms.CharField(
        label=_("phone"), max_length=20, required=False, validators=[validate_personal_phone]
    )
    organisation = forms.ModelChoiceField(
        label=_("organisation"), queryset=Organisation.objects.none(), required=False
    )

    def __init__(self, *args: Any, organisations: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if organisations is not None:
            self.fields["organisation"].queryset = organisations


class BaseOfficerFormSet(forms.BaseFormSet):
    def officers(self) -> list[OfficerInput]:
        rows = []
        for form in self.forms:
            data = form.cleaned_data
            if not data or data.get("DELETE") or not data.get("name"):
                continue
            org = data.get("organisation")
            rows.append(
                OfficerInput(
                    id=data.get("id"),
                    name=data["name"],
                    phone=data.get("phone") or "",
                    organisation_id=org.pk if org else None,
                )
            )
        return rows


OfficerFormSet = forms.formset_factory(
    OfficerForm, formset=BaseOfficerFormSet, extra=2, can_delete=True
)


def officer_formset(roster: DutyRoster, shift: Shift | None, data: Any = None):
    organisations = Organisation.objects.filter(
        pk__in=[roster.organisation_id, *roster.partners.values_list("pk", flat=True)]
    )
    initial = []
    if shift is not None:
        initial = [
            {"id": o.pk, "name": o.name, "phone": o.phone, "organisation": o.organisation_id}
            for o in shift.officers.all()
        ]
    return OfficerFormSet(
        data,
        initial=initial,
        prefix="officers",
        form_kwargs={"organisations": organisations},
    )


class LogEntryForm(BootstrapFormMixin, forms.Form):
    occurred_at = _datetime_field(_("time"), required=False)
    officer = forms.ModelChoiceField(
        label=_("duty officer"), queryset=ShiftOfficer.objects.none(), required=False
    )
    category = forms.ChoiceField(label=_("category"), choices=DutyLogCategory.choices)
    content = forms.CharField(label=_("content"), widget=forms.Textarea(attrs={"rows": 2}))
    is_open = forms.BooleanField(label=_("open item"), required=False)

    def __init__(self, *args: Any, shift: Shift, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = shift.officers.all()


# Shifts are planned and handed over in Beijing time, whatever the server's zone.
BEIJING = ZoneInfo("Asia/Shanghai")
# The hand-over offers the next few shifts of the roster, not every future one.
NEXT_SHIFTS = 3


def shift_label(shift: Shift) -> str:
    """ "12-05 08:00–20:00 北京时间 · 值班领导 张三"."""
    start = timezone.localtime(shift.starts_at, BEIJING)
    end = timezone.localtime(shift.ends_at, BEIJING)
    span = (
        f"{start:%m-%d %H:%M}–{end:%H:%M}"
        if start.date() == end.date()
        else (f"{start:%m-%d %H:%M}–{end:%m-%d %H:%M}")
    )
    label = f"{span} {_('Beijing time')}"
    if shift.leader_name:
        label += f" · {shift.leader_name}"
    return label


class ShiftChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Shift) -> str:
        return shift_label(obj)


class OfficerSelect(forms.Select):
    """Each officer option says its shift (``data-shift``); those of other shifts than
    the chosen one are hidden and disabled, and static/js/hand_over.js switches them
    when the incoming shift changes."""

    shown_shift: int | None = None

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        if instance is not None:
            option["attrs"]["data-shift"] = str(instance.shift_id)
            if instance.shift_id != self.shown_shift:
                option["attrs"]["hidden"] = True
                option["attrs"]["disabled"] = True
        return option


class HandOverForm(BootstrapFormMixin, forms.Form):
    to_shift = ShiftChoiceField(
        label=_("incoming shift"), queryset=Shift.objects.none(), empty_label=None
    )
    from_officer = forms.ModelChoiceField(
        label=_("outgoing officer"), queryset=ShiftOfficer.objects.none()
    )
    to_officer = forms.ModelChoiceField(
        label=_("incoming officer"), queryset=ShiftOfficer.objects.none(), widget=OfficerSelect
    )
    notes = forms.CharField(
        label=_("notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, shift: Shift, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        following = list(
            Shift.objects.filter(roster_id=shift.roster_id, starts_at__gt=shift.starts_at)
            .order_by("starts_at", "id")
            .values_list("pk", flat=True)[:NEXT_SHIFTS]
        )
        self.fields["to_shift"].queryset = Shift.objects.filter(pk__in=following).order_by(
            "starts_at", "id"
        )
        self.fields["to_shift"].widget.attrs["data-officers"] = "id_to_officer"
        self.fields["from_officer"].queryset = shift.officers.order_by("name")
        self.fields["to_officer"].queryset = (
            ShiftOfficer.objects.filter(shift_id__in=following)
            .select_related("shift")
            .order_by("shift__starts_at", "name")
        )
        chosen = self.data.get(self.add_prefix("to_shift")) if self.is_bound else None
        widget = self.fields["to_officer"].widget
        widget.shown_shift = (
            int(chosen) if str(chosen or "").isdigit() else (following[0] if following else None)
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        to_shift, to_officer = data.get("to_shift"), data.get("to_officer")
        if to_shift and to_officer and to_officer.shift_id != to_shift.pk:
            self.add_error("to_officer", _("Not on the incoming shift."))
        return data


class CloseForm(BootstrapFormMixin, forms.Form):
    note = forms.CharField(label=_("closing note"), max_length=200, required=False)


class SpotCheckForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = SpotCheck
        fields = [
            "organisation",
            "checked_on",
            "call_handling_passed",
            "call_handling_note",
            "duty_passed",
            "duty_note",
            "satisfaction_score",
            "findings",
            "rectification_deadline",
        ]
        widgets = {
            "checked_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "rectification_deadline": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "findings": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = units

    def _post_clean(self) -> None:
        # Model rules run in the service (with the derived quarter), not here.
        pass
