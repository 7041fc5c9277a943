"""Forms of the passage pages; the services decide (support.passage.services)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import BootstrapFormMixin
from core.models import Organisation
from forces.models import Force
from support.choices import PassageKind
from support.passage.permissions import PASSAGE_SECTORS

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]


class PassageRequestForm(BootstrapFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=PassageKind.choices)
    addressee = forms.ModelChoiceField(
        label=_("addressed to"), queryset=Organisation.objects.none()
    )
    area = forms.CharField(label=_("roads or area"), max_length=300)
    starts_at = forms.DateTimeField(
        label=_("from"), widget=DATETIME_WIDGET, input_formats=DATETIME_FORMATS
    )
    ends_at = forms.DateTimeField(
        label=_("until"), widget=DATETIME_WIDGET, input_formats=DATETIME_FORMATS, required=False
    )
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, incident: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        codes = incident.jurisdiction.ancestors_and_self() if incident is not None else []
        self.fields["addressee"].queryset = Organisation.objects.filter(
            is_active=True, sector__in=PASSAGE_SECTORS, jurisdiction__code__in=codes
        ).order_by("jurisdiction__path", "name")


class AnswerForm(BootstrapFormMixin, forms.Form):
    accepted = forms.TypedChoiceField(
        label=_("answer"),
        choices=[("1", _("Accepted: in force")), ("0", _("Declined"))],
        coerce=lambda v: v == "1",
    )
    answer = forms.CharField(
        label=_("measures or reason"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReasonForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(label=_("reason"), max_length=200, required=False)


class VehiclePassForm(BootstrapFormMixin, forms.Form):
    force = forms.ModelChoiceField(label=_("force"), queryset=Force.objects.none())
    plate = forms.CharField(
        label=_("plate"), max_length=16, help_text=_("e.g. 鲁P12345, 鲁PD12345")
    )
    vehicle = forms.CharField(label=_("vehicle"), max_length=100, required=False)
    route = forms.CharField(label=_("route"), max_length=300)
    valid_from = forms.DateTimeField(
        label=_("valid from"), widget=DATETIME_WIDGET, input_formats=DATETIME_FORMATS
    )
    valid_until = forms.DateTimeField(
        label=_("valid until"), widget=DATETIME_WIDGET, input_formats=DATETIME_FORMATS
    )

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["force"].queryset = (
            Force.objects.filter(is_active=True)
            .select_related("jurisdiction")
            .order_by("jurisdiction__path", "name")
        )


class RevokeForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(label=_("revocation reason"), max_length=200)
