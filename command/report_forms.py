"""Forms of the reporting pages (command/views/reports.py): they bind input; the services
in ``command.reports`` decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from command.models import IncidentType, ReportRule
from core.forms import BootstrapFormMixin

REPORT_STATES = [
    ("", _("All reports")),
    ("due", pgettext_lazy("report status", "Due")),
    ("late", _("Late (迟报)")),
    ("submitted", _("Submitted")),
]


class ReportFilterForm(forms.Form):
    state = forms.ChoiceField(label=_("show"), choices=REPORT_STATES, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["state"].widget.attrs["class"] = "form-select form-select-sm"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list:
        if not data:
            return []
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in files]


class ReportSubmitForm(BootstrapFormMixin, forms.Form):
    title = forms.CharField(label=_("title"), max_length=150)
    body = forms.CharField(label=_("text"), widget=forms.Textarea(attrs={"rows": 12}))
    attachments = MultipleFileField(
        label=_("attachments"),
        required=False,
        help_text=_("JPG, PNG, PDF, DOCX or XLSX, up to 20 MB each; all are kept or none."),
    )


class ReportReceiveForm(BootstrapFormMixin, forms.Form):
    received_by = forms.CharField(
        label=_("received by"),
        max_length=100,
        help_text=_("The person or office that received it, e.g. 县委值班室 张明."),
    )


class ReportRuleForm(BootstrapFormMixin, forms.ModelForm):
    incident_types = forms.ModelMultipleChoiceField(
        label=_("incident types"),
        queryset=IncidentType.objects.all(),
        required=False,
        help_text=_("None: every type."),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )

    class Meta:
        model = ReportRule
        fields = [
            "name",
            "min_level",
            "min_deaths",
            "min_injuries",
            "min_missing",
            "initial_minutes",
            "follow_up_minutes",
            "final_hours",
            "copy_to_bureau",
            "copy_to_fire_brigade",
            "active",
        ]

    def service_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}
