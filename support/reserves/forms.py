"""Forms of the reserves pages: a warehouse, a catalogue item, the four stock movements and
a level. They parse; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import BootstrapFormMixin
from core.models import Jurisdiction, Organisation
from core.phones import validate_personal_phone
from support.choices import ItemCategory, ReserveKind
from support.models import ReserveItem, StockBatch, Warehouse

QUANTITY = {"max_digits": 14, "decimal_places": 2, "min_value": 0}


def _in_jurisdiction(qs, user, lookup: str = "path"):
    if user.is_superuser:
        return qs
    own = user.jurisdiction
    return qs.filter(**{f"{lookup}__startswith": own.path}) if own else qs.none()


class WarehouseForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = Warehouse
        fields = [
            "name",
            "kind",
            "owner",
            "jurisdiction",
            "address",
            "latitude",
            "longitude",
            "keeper_name",
            "keeper_phone",
            "agreement_number",
            "agreement_expires",
            "is_active",
            "external_id",
            "notes",
        ]
        widgets = {"agreement_expires": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["jurisdiction"].queryset = _in_jurisdiction(
            Jurisdiction.objects.all(), user
        ).order_by("path")
        self.fields["owner"].queryset = _in_jurisdiction(
            Organisation.objects.filter(is_active=True), user, "jurisdiction__path"
        ).order_by("jurisdiction__path", "name")
        self.fields["keeper_phone"].widget.attrs.update({"inputmode": "tel"})
        self.fields["keeper_phone"].validators.append(validate_personal_phone)


class ItemForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = ReserveItem
        fields = [
            "code",
            "name",
            "spec",
            "unit",
            "category",
            "expiry_warning_days",
            "is_active",
            "external_id",
        ]


class _ItemChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj}（{obj.unit}）"


def _items():
    return _ItemChoice(
        label=_("Item"), queryset=ReserveItem.objects.filter(is_active=True).order_by("code")
    )


class ReceiveForm(BootstrapFormMixin, forms.Form):
    item = _items()
    quantity = forms.DecimalField(label=_("Quantity"), **QUANTITY)
    batch_number = forms.CharField(label=_("Batch"), max_length=40)
    expiry_date = forms.DateField(
        label=_("Expiry date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(label=_("Note"), max_length=200, required=False)


class IssueForm(BootstrapFormMixin, forms.Form):
    item = _items()
    quantity = forms.DecimalField(label=_("Quantity"), **QUANTITY)
    reason = forms.CharField(label=_("Reason"), max_length=200)


class TransferForm(BootstrapFormMixin, forms.Form):
    item = _items()
    to_warehouse = forms.ModelChoiceField(
        label=_("To warehouse"), queryset=Warehouse.objects.none()
    )
    quantity = forms.DecimalField(label=_("Quantity"), **QUANTITY)
    reason = forms.CharField(label=_("Reason"), max_length=200)

    def __init__(self, *args: Any, warehouse: Warehouse, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_warehouse"].queryset = (
            Warehouse.objects.visible_to(user)
            .filter(is_active=True)
            .exclude(pk=warehouse.pk)
            .exclude(kind__in=[ReserveKind.ENTERPRISE_CAPACITY, ReserveKind.COMMERCIAL_AGREEMENT])
        )


class AdjustForm(BootstrapFormMixin, forms.Form):
    batch = forms.ModelChoiceField(label=_("Batch"), queryset=StockBatch.objects.none())
    counted_quantity = forms.DecimalField(label=_("Counted quantity"), **QUANTITY)
    reason = forms.CharField(label=_("Reason for the difference"), max_length=200)

    def __init__(self, *args: Any, warehouse: Warehouse, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["batch"].queryset = StockBatch.objects.filter(
            warehouse=warehouse
        ).select_related("item")


class LevelForm(BootstrapFormMixin, forms.Form):
    item = _items()
    minimum = forms.DecimalField(label=_("Minimum level"), initial=0, **QUANTITY)
    agreed_capacity = forms.DecimalField(label=_("Agreed capacity"), required=False, **QUANTITY)
    delivery_hours = forms.IntegerField(
        label=_("Hours to deliver"), required=False, min_value=1, max_value=720
    )


class WarehouseFilter(BootstrapFormMixin, forms.Form):
    kind = forms.ChoiceField(
        label=_("Reserve kind"),
        required=False,
        choices=[("", _("All kinds")), *ReserveKind.choices],
    )
    jurisdiction = forms.ChoiceField(label=_("Jurisdiction"), required=False)
    item = forms.ModelChoiceField(
        label=_("Item"),
        required=False,
        queryset=ReserveItem.objects.order_by("code"),
        empty_label=_("All items"),
    )
    low = forms.BooleanField(label=_("Below minimum only"), required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        places = _in_jurisdiction(
            Jurisdiction.objects.filter(level__in=["city", "county", "township"]), user
        )
        self.fields["jurisdiction"].choices = [("", _("All jurisdictions"))] + [
            (j.code, j.name) for j in places.order_by("path")
        ]


class StockSearchForm(BootstrapFormMixin, forms.Form):
    item = forms.ModelChoiceField(
        label=_("Item"), queryset=ReserveItem.objects.order_by("code"), required=False
    )
    q = forms.CharField(label=_("Name or code"), required=False, max_length=100)
    category = forms.ChoiceField(
        label=_("Category"),
        required=False,
        choices=[("", _("All categories")), *ItemCategory.choices],
    )


class UploadForm(BootstrapFormMixin, forms.Form):
    workbook = forms.FileField(label=_("Reserves workbook (.xlsx)"))
