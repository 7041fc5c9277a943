"""Forms of the graded-response pages: a manual and its instruction list (a formset whose
lines are added, removed and reordered), activating a response, changing its level,
ending it, taking a seat, and completing an instruction with a report.

The forms only shape the input; response.services decides who may and what is allowed.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms import BaseFormSet, formset_factory
from django.utils.translation import gettext_lazy as _

from core.forms import BootstrapFormMixin
from core.models import Jurisdiction, Organisation
from core.phones import validate_personal_phone
from response.choices import ResponseHazard, ResponseLevel

# The deadline of a line: minutes after activation, at most a week.
MAX_DEADLINE_MINUTES = 7 * 24 * 60


def manual_departments(jurisdiction: Jurisdiction) -> QuerySet[Organisation]:
    """The organisations a manual of ``jurisdiction`` may task: the active ones of that
    jurisdiction (its bureaus, departments, brigade, enterprises), bureau and departments
    first."""
    return Organisation.objects.filter(jurisdiction=jurisdiction, is_active=True).order_by(
        "kind", "name"
    )


class ManualForm(BootstrapFormMixin, forms.Form):
    title = forms.CharField(label=_("title"), max_length=150)
    hazard = forms.ChoiceField(label=_("hazard"), choices=ResponseHazard.choices)
    level = forms.ChoiceField(label=_("level"), choices=ResponseLevel.choices)
    conditions = forms.CharField(
        label=_("activation conditions"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("When this level is activated (启动条件), for the people deciding."),
    )

    def __init__(self, *args: Any, fixed: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if fixed:
            # An existing manual keeps its hazard and level: another pair is another manual.
            self.fields["hazard"].disabled = True
            self.fields["level"].disabled = True


class ManualLineForm(BootstrapFormMixin, forms.Form):
    text = forms.CharField(
        label=_("instruction"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
    department = forms.ModelChoiceField(
        label=_("responsible department"), queryset=Organisation.objects.none()
    )
    deadline_minutes = forms.IntegerField(
        label=_("deadline (minutes after activation)"),
        min_value=1,
        max_value=MAX_DEADLINE_MINUTES,
    )

    def __init__(self, *args: Any, departments: QuerySet | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if departments is not None:
            self.fields["department"].queryset = departments
        for name in ("text", "department", "deadline_minutes"):
            self.fields[name].widget.attrs["class"] += f" line-{name.replace('_', '-')}"


class BaseManualLineFormSet(BaseFormSet):
    def __init__(self, *args: Any, departments: QuerySet | None = None, **kwargs: Any) -> None:
        self.departments = departments
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        return {**super().get_form_kwargs(index), "departments": self.departments}

    @property
    def empty_form(self) -> forms.Form:
        form = super().empty_form
        if self.departments is not None:
            form.fields["department"].queryset = self.departments
        return form

    def kept(self) -> list[dict[str, Any]]:
        """The lines that stay, in their order: the ordering field when given, else the
        order on the page; blank extra rows and rows marked for deletion are left out."""
        rows = []
        for index, form in enumerate(self.forms):
            data = getattr(form, "cleaned_data", None) or {}
            if not data or data.get("DELETE"):
                continue
            order = data.get("ORDER")
            rows.append((order if order is not None else 10_000 + index, index, data))
        return [data for _order, _index, data in sorted(rows, key=lambda r: (r[0], r[1]))]

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        if not self.kept():
            raise ValidationError(_("A manual needs at least one instruction."))


ManualLineFormSet = formset_factory(
    ManualLineForm,
    formset=BaseManualLineFormSet,
    extra=1,
    can_order=True,
    can_delete=True,
    max_num=200,
    validate_max=True,
)


class ActivateForm(BootstrapFormMixin, forms.Form):
    hazard = forms.ChoiceField(label=_("hazard"), choices=ResponseHazard.choices)
    level = forms.ChoiceField(label=_("level"), choices=ResponseLevel.choices)
    reason = forms.CharField(
        label=_("reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("Why this level now: the situation, the consultation's recommendation."),
    )


def _reason_widget() -> forms.Textarea:
    return forms.Textarea(
        attrs={"rows": 2, "placeholder": _("Reason (it goes on the steps timeline)")}
    )


class LevelForm(BootstrapFormMixin, forms.Form):
    level = forms.ChoiceField(label=_("new level"), choices=ResponseLevel.choices)
    reason = forms.CharField(label=_("reason"), widget=_reason_widget(), max_length=2000)


class EndForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(label=_("reason"), widget=_reason_widget(), max_length=2000)


class SeatForm(BootstrapFormMixin, forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("department"), queryset=Organisation.objects.none()
    )
    person = forms.CharField(label=_("seated person"), max_length=50)
    phone = forms.CharField(
        label=_("phone"), max_length=20, required=False, validators=[validate_personal_phone]
    )

    def __init__(self, *args: Any, organisations: QuerySet | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if organisations is not None:
            self.fields["organisation"].queryset = organisations
            if organisations.count() == 1:
                self.fields["organisation"].initial = organisations.first()


class CompleteForm(BootstrapFormMixin, forms.Form):
    report = forms.CharField(
        label=_("report"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        help_text=_("What was done: people, means, results."),
    )
