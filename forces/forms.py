"""Forms for the registry pages. Field parsing only: rules are in forces.services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core.choices import OrganisationKind
from core.forms import BootstrapFormMixin
from core.models import Jurisdiction, Organisation
from forces.choices import CommMeans
from forces.models import Equipment, Expert, Force, Material, Personnel, Specialty

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ForceForm(BootstrapFormMixin, forms.ModelForm):
    comm_means = forms.MultipleChoiceField(
        label=_("communication means"),
        choices=CommMeans.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    specialties = forms.ModelMultipleChoiceField(
        label=_("specialties"),
        queryset=Specialty.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Force
        fields = [
            "name",
            "category",
            "organisation",
            "industry_authority",
            "jurisdiction",
            "status",
            "duty_phone",
            "leader_name",
            "leader_phone",
            "headcount",
            "duty_mode",
            "funding_mode",
            "linkage_tier_override",
            "address",
            "latitude",
            "longitude",
            "external_id",
            "is_active",
            "specialties",
            "comm_means",
            "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organisations = Organisation.objects.visible_to(user).select_related("jurisdiction")
        self.fields["industry_authority"].queryset = organisations.filter(
            kind__in=[OrganisationKind.INDUSTRY_DEPARTMENT, OrganisationKind.EMERGENCY_BUREAU]
        )
        self.fields["jurisdiction"].queryset = (
            Jurisdiction.objects.filter(path__startswith=user.jurisdiction.path)
            if not user.is_superuser
            else Jurisdiction.objects.all()
        )
        if user.is_superuser or user.is_platform_admin:
            self.fields["organisation"].queryset = organisations
        else:
            # Department editors keep forces of their own organisation only.
            del self.fields["organisation"]
        if self.instance.pk:
            self.initial.setdefault("comm_means", self.instance.comm_means)


class PersonnelForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = Personnel
        fields = [
            "name",
            "gender",
            "position",
            "phone",
            "id_number",
            "specialty",
            "certifications",
            "medical_exam_date",
            "insurance_expiry",
            "is_active",
        ]
        widgets = {"medical_exam_date": DATE_WIDGET, "insurance_expiry": DATE_WIDGET}


class EquipmentForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = Equipment
        fields = ["name", "model", "quantity", "unit", "condition"]


class MaterialForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = Material
        fields = ["name", "spec", "quantity", "unit", "expiry_date"]
        widgets = {"expiry_date": DATE_WIDGET}


ITEM_FORMS: dict[str, type[forms.ModelForm]] = {
    "personnel": PersonnelForm,
    "equipment": EquipmentForm,
    "material": MaterialForm,
}


class ExpertForm(BootstrapFormMixin, forms.ModelForm):
    specialties = forms.ModelMultipleChoiceField(
        label=_("specialties"),
        queryset=Specialty.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Expert
        fields = [
            "name",
            "field",
            "title",
            "employer",
            "phone",
            "id_number",
            "availability",
            "organisation",
            "jurisdiction",
            "external_id",
            "specialties",
        ]

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["jurisdiction"].queryset = (
            Jurisdiction.objects.all()
            if user.is_superuser
            else Jurisdiction.objects.filter(path__startswith=user.jurisdiction.path)
        )
        if user.is_superuser or user.is_platform_admin:
            self.fields["organisation"].queryset = Organisation.objects.visible_to(user)
        else:
            del self.fields["organisation"]


class CensusUploadForm(BootstrapFormMixin, forms.Form):
    workbook = forms.FileField(label=_("Census workbook (.xlsx)"))
