"""Forms of the welfare pages: they bind and show errors; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from support.choices import CasualtyKind, CasualtyProcedure, CommendationLevel, HealthRecordKind

_DATE = {"type": "date"}
_TEXT = "form-control"
_SELECT = "form-select"


class _Styled(forms.Form):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field.widget, forms.CheckboxInput):
                field.widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(field.widget, forms.Select):
                field.widget.attrs.setdefault("class", _SELECT)
            else:
                field.widget.attrs.setdefault("class", _TEXT)

    def apply_errors(self, errors: dict | None) -> None:
        """A service's per-field errors shown on their fields (the rest above the form)."""
        for name, messages in (errors or {}).items():
            target = name if name in self.fields else None
            for message in messages if isinstance(messages, list | tuple) else [messages]:
                self.add_error(target, str(message))


class HealthRecordForm(_Styled):
    kind = forms.ChoiceField(label=_("kind"), choices=HealthRecordKind.choices)
    examined_on = forms.DateField(label=_("examined on"), widget=forms.DateInput(attrs=_DATE))
    institution = forms.CharField(label=_("institution"), max_length=150, required=False)
    fit_for_duty = forms.BooleanField(label=_("fit for duty"), required=False, initial=True)
    next_due = forms.DateField(
        label=_("next examination due"), required=False, widget=forms.DateInput(attrs=_DATE)
    )
    conclusion = forms.CharField(
        label=_("conclusion"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class InsurancePolicyForm(_Styled):
    insurer = forms.CharField(label=_("insurer"), max_length=150)
    policy_number = forms.CharField(label=_("policy number"), max_length=60)
    sum_insured = forms.DecimalField(
        label=_("sum insured (yuan)"), max_digits=12, decimal_places=2, required=False
    )
    starts_on = forms.DateField(label=_("starts on"), widget=forms.DateInput(attrs=_DATE))
    expires_on = forms.DateField(label=_("expires on"), widget=forms.DateInput(attrs=_DATE))


class CommendationForm(_Styled):
    level = forms.ChoiceField(label=_("level"), choices=CommendationLevel.choices)
    title = forms.CharField(label=_("title"), max_length=150)
    awarded_by = forms.CharField(label=_("awarded by"), max_length=150)
    awarded_on = forms.DateField(label=_("awarded on"), widget=forms.DateInput(attrs=_DATE))
    document_number = forms.CharField(label=_("document number"), max_length=60, required=False)
    incident = forms.IntegerField(label=_("incident"), required=False, widget=forms.HiddenInput)
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 3}))


class CasualtyForm(_Styled):
    kind = forms.ChoiceField(label=_("kind"), choices=CasualtyKind.choices)
    procedure = forms.ChoiceField(label=_("procedure"), choices=CasualtyProcedure.choices)
    occurred_at = forms.DateTimeField(
        label=_("occurred"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    incident = forms.IntegerField(label=_("incident"), required=False, widget=forms.HiddenInput)
    circumstances = forms.CharField(
        label=_("circumstances"), widget=forms.Textarea(attrs={"rows": 4})
    )


class ReviewForm(_Styled):
    opinion = forms.CharField(label=_("review opinion"), widget=forms.Textarea(attrs={"rows": 3}))


class DecisionForm(_Styled):
    decision = forms.CharField(label=_("decision"), max_length=150)
    authority = forms.CharField(label=_("deciding authority"), max_length=150)
    reference = forms.CharField(label=_("decision document"), max_length=60, required=False)
