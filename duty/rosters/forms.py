"""Forms of the roster, duty log and spot-check pages. They only parse input; the
rules are in ``duty.rosters.services``."""

from __future__ import annotations

from typing import Any

from django import forms
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


class HandOverForm(BootstrapFormMixin, forms.Form):
    to_shift = forms.ModelChoiceField(label=_("incoming shift"), queryset=Shift.objects.none())
    from_officer = forms.ModelChoiceField(
        label=_("outgoing officer"), queryset=ShiftOfficer.objects.none()
    )
    to_officer = forms.ModelChoiceField(
        label=_("incoming officer"), queryset=ShiftOfficer.objects.none()
    )
    notes = forms.CharField(
        label=_("notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, shift: Shift, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        later = Shift.objects.filter(roster_id=shift.roster_id, starts_at__gt=shift.starts_at)
        self.fields["to_shift"].queryset = later.filter(
            pk__in=list(later.order_by("starts_at").values_list("pk", flat=True)[:6])
        )
        self.fields["from_officer"].queryset = shift.officers.all()
        self.fields["to_officer"].queryset = ShiftOfficer.objects.filter(
            shift__roster_id=shift.roster_id, shift__starts_at__gt=shift.starts_at
        ).select_related("shift")


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
