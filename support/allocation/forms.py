"""Forms of the allocation pages: the request with its lines (each line one source — a
warehouse's item, shown with what it holds — and a quantity), and the small forms of the
steps. They only shape the input; support.allocation.services decides."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms import BaseFormSet, formset_factory
from django.utils.translation import gettext_lazy as _

from core.forms import BootstrapFormMixin
from core.phones import validate_personal_phone
from support.allocation.selectors import on_hand
from support.allocation.services import AllocationLineData
from support.choices import CAPACITY_KINDS
from support.models import StockLevel, Warehouse

MAX_FORM_LINES = 30


def _number(value: Decimal) -> str:
    return f"{value.normalize():f}"


def source_choices(user: Any) -> list[tuple[str, str]]:
    """ "warehouse:item" choices the user may draw on: stock with its quantity on hand
    (one aggregate query), capacity reserves with their agreed capacity and hours."""
    own = user.jurisdiction
    warehouses = Warehouse.objects.filter(is_active=True).select_related("jurisdiction")
    if not user.is_superuser:
        if own is None:
            return []
        warehouses = warehouses.filter(jurisdiction__code__in=own.ancestors_and_self()) | (
            warehouses.filter(jurisdiction__path__startswith=own.path)
        )
    warehouses = {w.pk: w for w in warehouses.order_by("jurisdiction__path", "kind", "name")}
    stock = on_hand(warehouse_ids=list(warehouses))
    levels = StockLevel.objects.filter(
        warehouse_id__in=list(warehouses), agreed_capacity__gt=0
    ).select_related("item")
    from support.models import ReserveItem

    items = ReserveItem.objects.in_bulk({item_id for _w, item_id in stock})
    choices = []
    for (warehouse_id, item_id), quantity in sorted(stock.items()):
        warehouse, item = warehouses[warehouse_id], items.get(item_id)
        if item is None or not item.is_active or warehouse.kind in CAPACITY_KINDS:
            continue
        label = _("%(warehouse)s · %(item)s — on hand %(quantity)s %(unit)s") % {
            "warehouse": warehouse.name,
            "item": item,
            "quantity": _number(quantity),
            "unit": item.unit,
        }
        choices.append((f"{warehouse_id}:{item_id}", label))
    for level in levels:
        warehouse = warehouses[level.warehouse_id]
        if warehouse.kind not in CAPACITY_KINDS or not level.item.is_active:
            continue
        label = _("%(warehouse)s · %(item)s — agreed %(quantity)s %(unit)s within %(hours)s h") % {
            "warehouse": warehouse.name,
            "item": level.item,
            "quantity": _number(level.agreed_capacity),
            "unit": level.item.unit,
            "hours": level.delivery_hours or "—",
        }
        choices.append((f"{level.warehouse_id}:{level.item_id}", label))
    return choices


class AllocationForm(BootstrapFormMixin, forms.Form):
    purpose = forms.CharField(
        label=_("purpose"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
    risk_period = forms.CharField(
        label=_("risk period"),
        max_length=150,
        required=False,
        help_text=_("When there is no incident: 汛期, a warning in force…"),
    )
    destination = forms.CharField(label=_("deliver to"), max_length=200)
    needed_by = forms.DateTimeField(
        label=_("needed by"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    receiver_name = forms.CharField(label=_("receiver"), max_length=50)
    receiver_phone = forms.CharField(
        label=_("receiver phone"), max_length=20, validators=[validate_personal_phone]
    )

    def __init__(self, *args: Any, incident: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if incident is not None:
            del self.fields["risk_period"]


class AllocationLineForm(BootstrapFormMixin, forms.Form):
    source = forms.ChoiceField(label=_("from (warehouse · item)"), required=False)
    quantity = forms.DecimalField(
        label=_("quantity"),
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0.01"),
        required=False,
    )

    def __init__(self, *args: Any, sources: list | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = [("", "—"), *(sources or [])]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("source") and not data.get("quantity"):
            self.add_error("quantity", _("Give the quantity."))
        if data.get("quantity") and not data.get("source"):
            self.add_error("source", _("Choose where it comes from."))
        return data


class BaseLineFormSet(BaseFormSet):
    def __init__(self, *args: Any, sources: list | None = None, **kwargs: Any) -> None:
        self.sources = sources
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        return {**super().get_form_kwargs(index), "sources": self.sources}

    def lines(self) -> list[AllocationLineData]:
        found = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if data.get("source") and data.get("quantity"):
                warehouse_id, item_id = (int(x) for x in data["source"].split(":"))
                found.append(
                    AllocationLineData(
                        item_id=item_id, warehouse_id=warehouse_id, quantity=data["quantity"]
                    )
                )
        return found

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        if not self.lines():
            raise ValidationError(_("Ask for at least one item."))


LineFormSet = formset_factory(
    AllocationLineForm,
    formset=BaseLineFormSet,
    extra=3,
    max_num=MAX_FORM_LINES,
    validate_max=True,
)


class ReasonForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class NoteForm(BootstrapFormMixin, forms.Form):
    note = forms.CharField(
        label=_("note"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000, required=False
    )
