"""Forms of roll calls. They only read input; the rules are in ``duty.rollcalls.services``."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.choices import OrganisationKind
from core.forms import BootstrapFormMixin
from core.models import Jurisdiction, Organisation
from duty.models import RollCallIntensification, RollCallSchedule
from forces.choices import ForceCategory

_CATEGORY_CHOICES = [("", _("All categories")), *ForceCategory.choices]
_DEPARTMENT_KINDS = (
    OrganisationKind.INDUSTRY_DEPARTMENT,
    OrganisationKind.GOVERNMENT_OFFICE,
    OrganisationKind.ENTERPRISE,
    OrganisationKind.SOCIAL_ORGANISATION,
)


def _jurisdictions(user: Any):
    qs = Jurisdiction.objects.filter(level__in=["province", "city", "county"])
    if user.is_superuser or user.jurisdiction is None:
        return qs
    return qs.filter(path__startswith=user.jurisdiction.path)


def _departments(user: Any):
    qs = Organisation.objects.filter(kind__in=_DEPARTMENT_KINDS, is_active=True)
    if not user.is_superuser and user.jurisdiction is not None:
        qs = qs.filter(jurisdiction__path__startswith=user.jurisdiction.path)
    return qs.select_related("jurisdiction").order_by("jurisdiction__path", "name")


class _ScopeFields(BootstrapFormMixin, forms.Form):
    def _limit(self, user: Any) -> None:
        self.fields["jurisdiction"].queryset = _jurisdictions(user)
        self.fields["department"].queryset = _departments(user)
        if user.jurisdiction is not None and not self.is_bound:
            self.fields["jurisdiction"].initial = user.jurisdiction.pk


class RollCallStartForm(_ScopeFields):
    jurisdiction = forms.ModelChoiceField(
        queryset=Jurisdiction.objects.none(), label=_("Jurisdiction")
    )
    category = forms.ChoiceField(choices=_CATEGORY_CHOICES, required=False, label=_("Category"))
    department = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("All departments"),
        label=_("Department"),
        help_text=_("Only the forces owned by or supervised by this department."),
    )
    window_minutes = forms.IntegerField(
        min_value=1, max_value=240, initial=10, label=_("Answer window (minutes)")
    )
    late_minutes = forms.IntegerField(
        min_value=0,
        max_value=24 * 60,
        initial=50,
        label=_("Late answers accepted for (minutes)"),
    )
    note = forms.CharField(max_length=200, required=False, label=_("Note"))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._limit(user)


class AnswerForm(BootstrapFormMixin, forms.Form):
    people_on_duty = forms.IntegerField(
        min_value=0, max_value=10000, required=False, label=_("People on duty")
    )
    equipment_ready = forms.NullBooleanField(required=False, label=_("Key equipment ready"))
    remark = forms.CharField(max_length=200, required=False, label=_("Remark"))


class ScheduleForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = RollCallSchedule
        fields = [
            "name",
            "jurisdiction",
            "category",
            "department",
            "frequency",
            "day_of_month",
            "weekday",
            "time_of_day",
            "window_minutes",
            "late_minutes",
            "is_active",
        ]
        widgets = {"time_of_day": forms.TimeInput(attrs={"type": "time"}, format="%H:%M")}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["jurisdiction"].queryset = _jurisdictions(user)
        self.fields["department"].queryset = _departments(user)
        self.fields["category"].choices = _CATEGORY_CHOICES


class IntensificationForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = RollCallIntensification
        fields = ["jurisdiction", "reason", "starts_on", "ends_on", "frequency"]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["jurisdiction"].queryset = _jurisdictions(user)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("The end date is before the start date."))
        return data


class ReportForm(BootstrapFormMixin, forms.Form):
    start = forms.DateField(
        label=pgettext_lazy("date range", "From"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    end = forms.DateField(
        label=pgettext_lazy("date range", "To"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    @staticmethod
    def default_range() -> tuple[date, date]:
        today = timezone.localdate()
        start = (today.replace(day=1) - timedelta(days=150)).replace(day=1)
        return start, today

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                self.add_error("end", _("The end date is before the start date."))
            elif (end - start).days > 3 * 366:
                self.add_error("end", _("Choose at most three years."))
        return data
