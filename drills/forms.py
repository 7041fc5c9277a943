"""Forms for the drill pages. Field parsing only: rules are in drills.services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import BootstrapFormMixin
from core.models import Organisation
from drills.choices import DrillStatus, DrillType
from drills.models import AnnualDrillPlan, ContingencyPlan, Drill
from forces.models import Force

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class DrillForm(BootstrapFormMixin, forms.ModelForm):
    organiser = forms.ModelChoiceField(label=_("organiser"), queryset=Organisation.objects.none())

    class Meta:
        model = Drill
        fields = [
            "title",
            "drill_type",
            "hazard",
            "organiser",
            "planned_date",
            "location",
            "annual_plan",
            "contingency_plan",
            "participating_organisations",
            "participating_forces",
            "multi_department_declared",
            "scenario",
        ]
        widgets = {
            "planned_date": DATE_WIDGET,
            "scenario": forms.Textarea(attrs={"rows": 3}),
            "participating_organisations": forms.SelectMultiple(attrs={"size": 6}),
            "participating_forces": forms.SelectMultiple(attrs={"size": 6}),
        }

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        visible_orgs = Organisation.objects.visible_to(user).filter(is_active=True)
        self.fields["organiser"].queryset = visible_orgs
        self.fields["participating_organisations"].queryset = visible_orgs
        self.fields["participating_forces"].queryset = Force.objects.visible_to(user)
        self.fields["annual_plan"].queryset = AnnualDrillPlan.objects.visible_to(
            user
        ).select_related("organisation")
        self.fields["contingency_plan"].queryset = ContingencyPlan.objects.visible_to(user).filter(
            is_active=True
        )
        if self.instance.pk:
            # The organiser of an existing drill is fixed; who may change it follows it.
            self.fields["organiser"].disabled = True
        elif user.organisation_id and not self.initial.get("organiser"):
            self.initial["organiser"] = user.organisation_id


class DrillFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    drill_type = forms.ChoiceField(
        label=_("drill type"), choices=[("", _("All types")), *DrillType.choices], required=False
    )
    status = forms.ChoiceField(
        label=_("status"), choices=[("", _("All statuses")), *DrillStatus.choices], required=False
    )
    year = forms.IntegerField(label=_("year"), required=False, min_value=2000, max_value=2100)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, f in self.fields.items():
            f.widget.attrs["class"] = (
                "form-select form-select-sm"
                if isinstance(f, forms.ChoiceField)
                else "form-control form-control-sm"
            )
            f.widget.attrs["placeholder"] = f.label
            f.widget.attrs["id"] = f"id_{name}"


class ConductForm(BootstrapFormMixin, forms.Form):
    conducted_on = forms.DateField(label=_("conducted on"), widget=DATE_WIDGET)
    notes = forms.CharField(
        label=_("conduct notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial.setdefault("conducted_on", timezone.localdate())


class EvaluateForm(BootstrapFormMixin, forms.Form):
    score = forms.IntegerField(label=_("score"), min_value=0, max_value=100)
    improvements = forms.CharField(
        label=_("improvements"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ProblemForm(BootstrapFormMixin, forms.Form):
    problem = forms.CharField(label=_("problem found"), required=False)
    action = forms.CharField(label=_("follow-up action"), required=False)
    owner = forms.ModelChoiceField(
        label=_("owner"), queryset=Organisation.objects.none(), required=False
    )
    owner_person = forms.CharField(label=_("responsible person"), required=False, max_length=50)
    deadline = forms.DateField(label=_("deadline"), required=False, widget=DATE_WIDGET)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = Organisation.objects.visible_to(user).filter(is_active=True)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("problem"):
            for name in ("owner", "deadline"):
                if not data.get(name):
                    self.add_error(name, _("This field is required."))
        return data


ProblemFormSet = forms.formset_factory(ProblemForm, extra=3, max_num=20)


class CloseActionForm(BootstrapFormMixin, forms.Form):
    closure_note = forms.CharField(
        label=_("closure note"), widget=forms.Textarea(attrs={"rows": 2})
    )


class AttachmentForm(BootstrapFormMixin, forms.Form):
    file = forms.FileField(
        label=_("file"),
        help_text=_("JPG, PNG, PDF, DOCX or XLSX."),
        widget=forms.ClearableFileInput(attrs={"accept": ".jpg,.jpeg,.png,.pdf,.docx,.xlsx"}),
    )


class AnnualPlanForm(BootstrapFormMixin, forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("organisation"), queryset=Organisation.objects.none()
    )
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100)
    notes = forms.CharField(
        label=_("notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.visible_to(user).filter(
            is_active=True
        )
        self.initial.setdefault("organisation", user.organisation_id)
        self.initial.setdefault("year", timezone.localdate().year)


class ContingencyPlanForm(BootstrapFormMixin, forms.ModelForm):
    organisation = forms.ModelChoiceField(
        label=_("organisation"), queryset=Organisation.objects.none()
    )

    class Meta:
        model = ContingencyPlan
        fields = ["organisation", "name", "kind", "hazard"]

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.visible_to(user).filter(
            is_active=True
        )
        self.initial.setdefault("organisation", user.organisation_id)

    def validate_unique(self) -> None:
        """Uniqueness is the service's to decide (with the row lock)."""


class AfterActionForm(BootstrapFormMixin, forms.Form):
    """The brigade's written summary (总结, Liaocheng §三.三.3)."""

    summary = forms.CharField(
        label=_("course of the response"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    what_worked = forms.CharField(
        label=_("what worked"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    what_failed = forms.CharField(
        label=_("what failed"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    suggestions = forms.CharField(
        label=_("suggestions"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ReviewForm(BootstrapFormMixin, forms.Form):
    note = forms.CharField(
        label=_("review note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
