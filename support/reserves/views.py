"""Pages of the material reserves under /support/reserves/: the warehouse list (the index of
物资储备), a warehouse with its levels, batches, movements and the four stock forms, the
warehouse form, the item catalogue, "where is it" stock search, and the Excel workbook.
Every write calls one service of ``support.reserves.services``."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from core.exceptions import DomainError, ValidationFailed
from core.replica import replica_reads
from core.web import latest_seq, raise_for
from support.choices import CAPACITY_KINDS
from support.models import ReserveItem, StockBatch, StockLevel, StockMovement, Warehouse
from support.reserves import excel, services
from support.reserves.forms import (
    AdjustForm,
    IssueForm,
    ItemForm,
    LevelForm,
    ReceiveForm,
    StockSearchForm,
    TransferForm,
    UploadForm,
    WarehouseFilter,
    WarehouseForm,
)
from support.reserves.permissions import (
    can_create_warehouse,
    can_edit_catalogue,
    can_keep_warehouse,
    can_read_reserves,
    keeper_phone_for,
)
from support.reserves.selectors import (
    low_stock_levels,
    stock_on_hand,
    visible_warehouses,
    warehouse_summary,
)

PAGE_SIZE = 50
MOVEMENTS_SHOWN = 50


class ReservesReaderRequiredMixin(LoginRequiredMixin):
    """Anonymous → login page; a role that may not read reserves → 403."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not can_read_reserves(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


def _may_register(user) -> bool:
    return bool(user.jurisdiction or user.is_superuser) and can_create_warehouse(
        user, owner=user.organisation, jurisdiction=user.jurisdiction
    )


def _filtered(request: HttpRequest):
    form = WarehouseFilter(request.GET or None, user=request.user)
    qs = visible_warehouses(request.user).select_related("owner", "jurisdiction")
    low_only = False
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        if data["kind"]:
            qs = qs.filter(kind=data["kind"])
        if data["jurisdiction"]:
            qs = qs.filter(jurisdiction__path__contains=f"{data['jurisdiction']}/")
        if data["item"]:
            qs = qs.filter(Q(batches__item=data["item"]) | Q(levels__item=data["item"])).distinct()
        low_only = data["low"]
    return form, qs, low_only


class WarehouseListView(ReservesReaderRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        form, qs, low_only = _filtered(request)
        if low_only:
            summary = warehouse_summary(qs)
            qs = qs.filter(pk__in=[pk for pk, s in summary.items() if s["low"]])
        page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
        summary = warehouse_summary(page.object_list)
        rows = [{"warehouse": w, **summary[w.pk]} for w in page]
        query = request.GET.copy()
        query.pop("page", None)
        return render(
            request,
            "support/reserves/warehouse_list.html",
            {
                "filter": form,
                "page": page,
                "rows": rows,
                "query": query.urlencode(),
                "can_register": _may_register(request.user),
                "can_import": can_edit_catalogue(request.user),
                "live_seq": latest_seq(request.user),
            },
        )


def _detail_context(request, warehouse: Warehouse, forms: dict[str, Any] | None = None):
    user = request.user
    keeps = can_keep_warehouse(user, warehouse)
    warehouse.keeper_phone_shown = keeper_phone_for(user, warehouse)
    levels = list(
        StockLevel.objects.filter(warehouse=warehouse).select_related("item", "warehouse")
    )
    on_hand = stock_on_hand(warehouse_ids=[warehouse.pk])
    low = {lv.pk for lv in low_stock_levels(levels, on_hand)}
    level_rows = [
        {
            "level": lv,
            "item": lv.item,
            "on_hand": on_hand.get((warehouse.pk, lv.item_id), Decimal(0)),
            "low": lv.pk in low,
        }
        for lv in levels
    ]
    levelled = {lv.item_id for lv in levels}
    for (_wid, item_id), qty in on_hand.items():
        if item_id not in levelled and qty:
            level_rows.append({"level": None, "item_id": item_id, "on_hand": qty, "low": False})
    extra_items = {r["item_id"] for r in level_rows if r["level"] is None}
    items = ReserveItem.objects.in_bulk(extra_items)
    for row in level_rows:
        if row["level"] is None:
            row["item"] = items[row["item_id"]]
    batches = list(
        StockBatch.objects.filter(warehouse=warehouse, quantity__gt=0).select_related("item")
    )
    movements = list(
        StockMovement.objects.filter(batch__warehouse=warehouse)
        .select_related("batch__item", "actor")
        .order_by("-at", "-id")[:MOVEMENTS_SHOWN]
    )
    context = {
        "warehouse": warehouse,
        "is_capacity": warehouse.kind in CAPACITY_KINDS,
        "level_rows": level_rows,
        "batches": batches,
        "movements": movements,
        "keeps": keeps,
        "live_seq": latest_seq(user),
    }
    if keeps:
        forms = forms or {}
        context.update(
            level_form=forms.get("level") or LevelForm(prefix="level"),
            receive_form=forms.get("receive") or ReceiveForm(prefix="receive"),
            issue_form=forms.get("issue") or IssueForm(prefix="issue"),
            transfer_form=forms.get("transfer")
            or TransferForm(prefix="transfer", warehouse=warehouse, user=user),
            adjust_form=forms.get("adjust") or AdjustForm(prefix="adjust", warehouse=warehouse),
        )
    return context


def _visible_warehouse(request, pk: int) -> Warehouse:
    return get_object_or_404(
        visible_warehouses(request.user).select_related("owner", "jurisdiction"), pk=pk
    )


class WarehouseDetailView(ReservesReaderRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        warehouse = _visible_warehouse(request, pk)
        return render(
            request, "support/reserves/warehouse_detail.html", _detail_context(request, warehouse)
        )


class StockActionView(ReservesReaderRequiredMixin, View):
    """POST one of the stock forms of the warehouse page; errors show on that form."""

    def post(self, request: HttpRequest, pk: int, action: str) -> HttpResponse:
        warehouse = _visible_warehouse(request, pk)
        if not can_keep_warehouse(request.user, warehouse):
            raise PermissionDenied
        user = request.user
        if action == "receive":
            form = ReceiveForm(request.POST, prefix=action)
        elif action == "issue":
            form = IssueForm(request.POST, prefix=action)
        elif action == "transfer":
            form = TransferForm(request.POST, prefix=action, warehouse=warehouse, user=user)
        elif action == "adjust":
            form = AdjustForm(request.POST, prefix=action, warehouse=warehouse)
        elif action == "level":
            form = LevelForm(request.POST, prefix=action)
        else:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                self._call(action, user, warehouse, data)
                messages.success(request, _("Saved."))
                return HttpResponseRedirect(
                    reverse("support:warehouse_detail", args=[warehouse.pk])
                )
            except DomainError as exc:
                raise_for(exc)
                if isinstance(exc.errors, dict):
                    for name, errors in exc.errors.items():
                        target = name if name in form.fields else None
                        for message in errors if isinstance(errors, list) else [errors]:
                            form.add_error(target, message)
                else:
                    form.add_error("quantity" if "quantity" in form.fields else None, exc.detail)
        context = _detail_context(request, warehouse, {action: form})
        context["open_form"] = action
        return render(request, "support/reserves/warehouse_detail.html", context, status=400)

    @staticmethod
    def _call(action, user, warehouse, data):
        if action == "receive":
            services.receive_stock(
                actor=user,
                warehouse_id=warehouse.pk,
                item_id=data["item"].pk,
                quantity=data["quantity"],
                batch_number=data["batch_number"],
                expiry_date=data["expiry_date"],
                reason=data["reason"],
            )
        elif action == "issue":
            services.issue_stock(
                actor=user,
                warehouse_id=warehouse.pk,
                item_id=data["item"].pk,
                quantity=data["quantity"],
                reason=data["reason"],
            )
        elif action == "transfer":
            services.transfer_stock(
                actor=user,
                from_warehouse_id=warehouse.pk,
                to_warehouse_id=data["to_warehouse"].pk,
                item_id=data["item"].pk,
                quantity=data["quantity"],
                reason=data["reason"],
            )
        elif action == "adjust":
            services.adjust_stock(
                actor=user,
                batch_id=data["batch"].pk,
                counted_quantity=data["counted_quantity"],
                reason=data["reason"],
            )
        else:
            services.set_stock_level(
                actor=user,
                warehouse_id=warehouse.pk,
                item_id=data["item"].pk,
                minimum=data["minimum"],
                agreed_capacity=data["agreed_capacity"],
                delivery_hours=data["delivery_hours"],
            )


class WarehouseFormView(ReservesReaderRequiredMixin, View):
    """Register (no pk) or edit (pk) a warehouse."""

    def _warehouse(self, request, pk):
        if pk is None:
            return None
        warehouse = _visible_warehouse(request, pk)
        if not can_keep_warehouse(request.user, warehouse):
            raise PermissionDenied
        return warehouse

    def _render(self, request, form, warehouse, status=200):
        return render(
            request,
            "support/reserves/warehouse_form.html",
            {"form": form, "warehouse": warehouse},
            status=status,
        )

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        warehouse = self._warehouse(request, pk)
        initial = {}
        if warehouse is None:
            initial = {
                "owner": request.user.organisation,
                "jurisdiction": request.user.jurisdiction,
            }
        form = WarehouseForm(instance=warehouse, initial=initial, user=request.user)
        return self._render(request, form, warehouse)

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        warehouse = self._warehouse(request, pk)
        form = WarehouseForm(request.POST, instance=warehouse, user=request.user)
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                if warehouse is None:
                    warehouse = services.create_warehouse(actor=request.user, data=data)
                    messages.success(request, _("Warehouse registered."))
                else:
                    services.update_warehouse(
                        actor=request.user, warehouse_id=warehouse.pk, data=data
                    )
                    messages.success(request, _("Changes saved."))
                return HttpResponseRedirect(
                    reverse("support:warehouse_detail", args=[warehouse.pk])
                )
            except DomainError as exc:
                raise_for(exc)
                if isinstance(exc.errors, dict):
                    for name, errors in exc.errors.items():
                        for message in errors if isinstance(errors, list) else [errors]:
                            form.add_error(name if name in form.fields else None, message)
                else:
                    form.add_error(None, exc.detail)
        return self._render(request, form, warehouse, status=400)


class ItemListView(ReservesReaderRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        items = ReserveItem.objects.order_by("category", "code")
        page = Paginator(items, 100).get_page(request.GET.get("page"))
        return render(
            request,
            "support/reserves/item_list.html",
            {"page": page, "can_edit": can_edit_catalogue(request.user)},
        )


class ItemFormView(ReservesReaderRequiredMixin, View):
    def _item(self, request, pk):
        if not can_edit_catalogue(request.user):
            raise PermissionDenied
        return get_object_or_404(ReserveItem, pk=pk) if pk else None

    def _render(self, request, form, item, status=200):
        return render(
            request, "support/reserves/item_form.html", {"form": form, "item": item}, status=status
        )

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        item = self._item(request, pk)
        return self._render(request, ItemForm(instance=item), item)

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        item = self._item(request, pk)
        form = ItemForm(request.POST, instance=item)
        if form.is_valid():
            try:
                services.save_item(
                    actor=request.user,
                    data=dict(form.cleaned_data),
                    item_id=item.pk if item else None,
                )
                messages.success(request, _("Saved."))
                return HttpResponseRedirect(reverse("support:item_list"))
            except DomainError as exc:
                raise_for(exc)
                form.add_error(None, exc.detail)
        return self._render(request, form, item, status=400)


class StockSearchView(ReservesReaderRequiredMixin, View):
    """Where is it: every visible warehouse holding (or able to deliver) an item."""

    def get(self, request: HttpRequest) -> HttpResponse:
        form = StockSearchForm(request.GET or None)
        rows: list[dict[str, Any]] = []
        searched = False
        if form.is_bound and form.is_valid():
            data = form.cleaned_data
            items = ReserveItem.objects.all()
            if data["item"]:
                items = items.filter(pk=data["item"].pk)
            if data["q"]:
                items = items.filter(Q(name__icontains=data["q"]) | Q(code__icontains=data["q"]))
            if data["category"]:
                items = items.filter(category=data["category"])
            searched = bool(data["item"] or data["q"] or data["category"])
            if searched:
                item_map = {i.pk: i for i in items[:200]}
                warehouses = {
                    w.pk: w for w in visible_warehouses(request.user).select_related("jurisdiction")
                }
                on_hand = stock_on_hand(warehouse_ids=list(warehouses), item_ids=list(item_map))
                levels = {
                    (lv.warehouse_id, lv.item_id): lv
                    for lv in StockLevel.objects.filter(
                        warehouse_id__in=list(warehouses), item_id__in=list(item_map)
                    )
                }
                for key in sorted(set(on_hand) | set(levels)):
                    qty = on_hand.get(key, Decimal(0))
                    level = levels.get(key)
                    if not qty and not (level and level.agreed_capacity):
                        continue
                    rows.append(
                        {
                            "warehouse": warehouses[key[0]],
                            "item": item_map[key[1]],
                            "on_hand": qty,
                            "level": level,
                        }
                    )
                rows.sort(key=lambda r: (str(r["item"]), -r["on_hand"]))
                for warehouse in warehouses.values():
                    warehouse.keeper_phone_shown = keeper_phone_for(request.user, warehouse)
        return render(
            request,
            "support/reserves/stock_search.html",
            {"form": form, "rows": rows, "searched": searched},
        )


def _xlsx(content: bytes, prefix: str, fallback: str) -> HttpResponse:
    response = HttpResponse(content, content_type=excel.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = excel.content_disposition(prefix, fallback)
    response["Cache-Control"] = "no-store"
    return response


class ExportView(ReservesReaderRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        # Only reads: a replica may serve it.
        with replica_reads():
            _form, qs, _low = _filtered(request)
            content = excel.export_reserves(queryset=qs)
        return _xlsx(content, "物资储备", "reserves")


class TemplateView(ReservesReaderRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        return _xlsx(excel.template_workbook(), "物资储备模板", "reserves-template")


class ImportView(ReservesReaderRequiredMixin, View):
    template_name = "support/reserves/import.html"

    def _render(self, request, form, report=None, status=200):
        form.fields["workbook"].widget.attrs["accept"] = f".xlsx,{excel.XLSX_CONTENT_TYPE}"
        context = {
            "form": form,
            "report": report,
            "max_mb": f"{settings.CENSUS_UPLOAD_MAX_BYTES / 1024 / 1024:g}",
        }
        return render(request, self.template_name, context, status=status)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request, UploadForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = UploadForm(request.POST, request.FILES)
        report = None
        if form.is_valid():
            try:
                report = excel.import_reserves(
                    actor=request.user, upload=form.cleaned_data["workbook"]
                )
            except ValidationFailed as exc:
                form.add_error("workbook", exc.detail)
            except DomainError as exc:
                raise_for(exc)
                raise
        status = 200 if report is not None and report.ok else 400
        return self._render(request, form, report, status)
