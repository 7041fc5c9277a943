"""Forms of the dispatch-chain pages. Field parsing only: every rule (who, when, which
force, consent, reasons) is in dispatch.services, whose refusals the forms display."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core.bounds import validate_year_window
from core.exceptions import DomainError
from core.forms import BootstrapFormMixin
from core.models import Organisation
from dispatch.choices import SpecialPeriodKind
from dispatch.services import LineInput
from forces.models import Force

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class RenamingFormMixin(BootstrapFormMixin):
    """Shows a service's field errors on this form's field names."""

    service_field_names: dict[str, str] = {}

    def add_domain_error(self, exc: DomainError) -> None:
        if isinstance(exc.errors, dict):
            exc = type(exc)(
                exc.detail,
                code=exc.code,
                errors={self.service_field_names.get(k, k): v for k, v in exc.errors.items()},
            )
        super().add_domain_error(exc)


class PlanForm(BootstrapFormMixin, forms.Form):
    """Task and reason of a call-out plan (调用方案)."""

    task = forms.CharField(label=_("task"), widget=forms.Textarea(attrs={"rows": 3}))
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 3}))
    # Shown when a chosen force is already out on an open order: the drafter confirms.
    allow_deployed = forms.BooleanField(
        label=_("Call out the forces already deployed anyway"), required=False
    )


class ForceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Force) -> str:
        return f"{obj.name} · {obj.jurisdiction.name} · {obj.get_status_display()}"


class PlanLineForm(BootstrapFormMixin, forms.Form):
    """One force of the plan: what it is asked to do and with what."""

    force = ForceChoiceField(label=_("force"), queryset=Force.objects.none())
    task = forms.CharField(label=_("task"), max_length=200, required=False)
    people = forms.IntegerField(label=_("people"), min_value=0, required=False, initial=0)
    equipment = forms.CharField(label=_("equipment asked for"), max_length=200, required=False)

    def __init__(self, *args: Any, forces: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if forces is not None:
            self.fields["force"].queryset = forces
        self.fields["force"].widget.attrs["class"] = "form-select form-select-sm line-force"
        for name in ("task", "people", "equipment"):
            self.fields[name].widget.attrs["class"] = f"form-control form-control-sm line-{name}"


class BasePlanLineFormSet(forms.BaseFormSet):
    def add_line_errors(self, exc: DomainError) -> None:
        """A service's per-line refusals (``lines.<n>.<field>``) on the line's field. The
        service numbers the filled-in lines, so count them the way ``line_inputs`` does."""
        if not isinstance(exc.errors, dict):
            return
        filled = [
            form
            for form in self.forms
            if (getattr(form, "cleaned_data", None) or {}).get("force")
            and not form.cleaned_data.get("DELETE")
        ]
        for key, messages in exc.errors.items():
            parts = key.split(".")
            if len(parts) != 3 or parts[0] != "lines" or not parts[1].isdigit():
                continue
            index, name = int(parts[1]), parts[2]
            if index < len(filled) and name in filled[index].fields:
                for message in messages:
                    filled[index].add_error(name, message)

    def line_inputs(self) -> list[LineInput]:
        """The filled-in lines, in order, without the ones marked for removal."""
        lines = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if not data.get("force") or data.get("DELETE"):
                continue
            lines.append(
                LineInput(
                    force_id=data["force"].pk,
                    task=data.get("task") or "",
                    people=data.get("people") or 0,
                    equipment=data.get("equipment") or "",
                )
            )
        return lines


PlanLineFormSet = forms.formset_factory(
    PlanLineForm, formset=BasePlanLineFormSet, extra=0, can_delete=True
)


class RejectPlanForm(RenamingFormMixin, forms.Form):
    """The reason is required by ``reject_plan``; the service says so if it is missing."""

    service_field_names = {"reason": "rejection_reason"}

    rejection_reason = forms.CharField(
        label=_("rejection reason"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ConsentForm(BootstrapFormMixin, forms.Form):
    """The approver records an industry department's consent: whom they consulted, when."""

    organisation = forms.ModelChoiceField(
        label=_("industry department"), queryset=Organisation.objects.none()
    )
    consulted_person = forms.CharField(label=_("person consulted"), max_length=50, required=False)
    consulted_at = forms.DateTimeField(
        label=_("consulted at"), required=False, widget=DATETIME_WIDGET
    )
    note = forms.CharField(label=_("note"), max_length=200, required=False)

    def __init__(self, *args: Any, departments: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if departments is not None:
            self.fields["organisation"].queryset = departments


class ResultForm(BootstrapFormMixin, forms.Form):
    """The force's result, within 24 hours of completion (Zhoushan §三.2)."""

    result = forms.CharField(
        label=_("result"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    people_rescued = forms.IntegerField(
        label=_("people rescued"), min_value=0, required=False, initial=0
    )


class ReinforcementRequestForm(BootstrapFormMixin, forms.Form):
    needs = forms.CharField(
        label=_("forces needed"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    reason = forms.CharField(
        label=_("reason"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ReinforcementDecisionForm(RenamingFormMixin, forms.Form):
    service_field_names = {"reason": "decision_reason"}

    # Set by the button pressed; not rendered as a field.
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject"))])
    decision_reason = forms.CharField(
        label=_("decision reason"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class SpecialPeriodForm(BootstrapFormMixin, forms.Form):
    """Declare a flood season or a sensitive period; ``declare_special_period`` checks
    the dates, the overlap and who may."""

    kind = forms.ChoiceField(label=_("kind"), choices=SpecialPeriodKind.choices)
    name = forms.CharField(label=_("name"), max_length=100)
    starts_on = forms.DateField(
        label=_("starts on"), widget=DATE_WIDGET, validators=[validate_year_window]
    )
    ends_on = forms.DateField(
        label=_("ends on"), widget=DATE_WIDGET, validators=[validate_year_window]
    )
