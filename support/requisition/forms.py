"""Forms of the requisition pages; the services check everything again."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import BootstrapFormMixin
from core.models import Organisation
from support.choices import RequisitionMode

DATETIME = {"type": "datetime-local"}
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]


def _datetime_field(label, required=True) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=required,
        input_formats=DATETIME_FORMATS,
        widget=forms.DateTimeInput(attrs=DATETIME, format="%Y-%m-%dT%H:%M"),
    )


class RequisitionForm(BootstrapFormMixin, forms.Form):
    mode = forms.ChoiceField(label=_("mode"), choices=RequisitionMode.choices)
    description = forms.CharField(label=_("equipment or machinery"), max_length=200)
    quantity = forms.IntegerField(label=_("quantity"), min_value=1, initial=1)
    plate_or_serial = forms.CharField(
        label=_("plate or serial number"), max_length=60, required=False
    )
    with_operator = forms.BooleanField(label=_("with operator"), required=False)
    owner_organisation = forms.ModelChoiceField(
        label=_("owner unit"),
        queryset=Organisation.objects.none(),
        required=False,
        help_text=_("Leave empty for a private owner and give the name and phone."),
    )
    owner_name = forms.CharField(label=_("owner"), max_length=150, required=False)
    owner_phone = forms.CharField(label=_("owner phone"), max_length=20, required=False)
    needed_from = _datetime_field(_("needed from"))
    needed_until = _datetime_field(_("needed until"))
    purpose = forms.CharField(label=_("purpose"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, jurisdiction=None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        qs = Organisation.objects.filter(is_active=True).order_by("name")
        if jurisdiction is not None:
            # Owners of the incident's city: the county's own and its neighbours'.
            root = jurisdiction.parent or jurisdiction
            qs = qs.filter(jurisdiction__path__startswith=root.path)
        self.fields["owner_organisation"].queryset = qs


class HandoverForm(BootstrapFormMixin, forms.Form):
    at = _datetime_field(_("handed over at"), required=False)
    condition = forms.CharField(
        label=_("condition at hand-over"), widget=forms.Textarea(attrs={"rows": 2})
    )


class ReturnForm(BootstrapFormMixin, forms.Form):
    at = _datetime_field(_("returned at"), required=False)
    condition = forms.CharField(
        label=_("condition at return"), widget=forms.Textarea(attrs={"rows": 2})
    )
    damage = forms.CharField(
        label=_("damage or loss"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class CancelForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(label=_("reason"), max_length=200)
