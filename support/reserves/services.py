"""Writes of the material reserves, the "1+4" system (Linqing §二.(一), §四.(三)):
warehouses and reserve points, the item catalogue, levels, and every stock movement —
received, issued, transferred, counted. Each is one function: inside a transaction it
locks, authorises, checks, saves (movements through ``support.reserves.stock``), records
its one ``ReserveEvent`` last.

Stock on hand is the batches' quantity, changed only here and by an allocation's approval,
always with the movement that explains it; ``check_stock`` proves they agree."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import DecimalField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from core.events import record_event
from core.exceptions import NotFoundError, PermissionDeniedError, ValidationFailed
from core.models import Jurisdiction, Organisation
from core.permissions import in_jurisdiction
from core.saving import stamp_history, validated
from support.choices import CAPACITY_KINDS, MovementKind
from support.events import ReserveEvent
from support.models import ReserveItem, StockBatch, StockLevel, StockMovement, Warehouse
from support.reserves.permissions import (
    can_create_warehouse,
    can_edit_catalogue,
    can_keep_warehouse,
)
from support.reserves.stock import _positive, draw_stock, put_stock, quantity_text

__all__ = [
    "WAREHOUSE_FIELDS",
    "adjust_stock",
    "check_stock",
    "create_warehouse",
    "issue_stock",
    "receive_stock",
    "save_item",
    "set_stock_level",
    "transfer_stock",
    "update_warehouse",
]

WAREHOUSE_FIELDS = (
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
    "notes",
    "is_active",
    "external_id",
)
ITEM_FIELDS = (
    "code",
    "name",
    "spec",
    "unit",
    "category",
    "expiry_warning_days",
    "is_active",
    "external_id",
)


def _instance(model, value, field: str):
    if value is None or isinstance(value, model):
        return value
    found = model.objects.filter(pk=value).first()
    if found is None:
        raise ValidationFailed(
            _("No such %(field)s.") % {"field": field}, errors={field: [_("Not found.")]}
        )
    return found


def _clean_warehouse_data(data: dict[str, Any]) -> dict[str, Any]:
    unknown = set(data) - set(WAREHOUSE_FIELDS)
    if unknown:
        raise ValidationFailed(_("Unknown fields: %s") % ", ".join(sorted(unknown)))
    out = dict(data)
    if "owner" in out:
        out["owner"] = _instance(Organisation, out["owner"], "owner")
    if "jurisdiction" in out:
        out["jurisdiction"] = _instance(Jurisdiction, out["jurisdiction"], "jurisdiction")
    for text in ("address", "agreement_number", "notes", "keeper_name", "external_id"):
        if text in out and out[text] is None:
            out[text] = ""
    return out


def _load_warehouse(warehouse_id: int, actor: Any, *, lock: bool = False) -> Warehouse:
    qs = Warehouse.objects.select_related("owner", "jurisdiction")
    if lock:
        qs = qs.select_for_update(of=("self",))
    warehouse = qs.filter(pk=warehouse_id).first()
    if warehouse is None or not in_jurisdiction(actor, warehouse.jurisdiction):
        raise NotFoundError(_("No such warehouse in your jurisdiction."))
    if not can_keep_warehouse(actor, warehouse):
        raise PermissionDeniedError(_("You may not keep the stock of this warehouse."))
    return warehouse


def _load_item(item_id: int) -> ReserveItem:
    item = ReserveItem.objects.filter(pk=item_id).first()
    if item is None:
        raise NotFoundError(_("No such item in the catalogue."))
    return item


def _require_stock_kind(warehouse: Warehouse) -> None:
    if warehouse.kind in CAPACITY_KINDS:
        raise ValidationFailed(
            _(
                "%(warehouse)s is a capacity reserve: it holds an agreed capacity and a time "
                "to deliver, not stock on a shelf. Set its level instead."
            )
            % {"warehouse": warehouse.name},
            code="capacity_reserve",
        )


def _reason(reason: str, *, required: bool) -> str:
    reason = (reason or "").strip()
    if required and not reason:
        raise ValidationFailed(
            _("A reason is required."), errors={"reason": [_("This field is required.")]}
        )
    return reason[:200]


def _movement_payload(warehouse, item, movements) -> dict[str, Any]:
    total = sum((m.delta for m in movements), Decimal(0))
    return {
        "warehouse": warehouse.pk,
        "item": item.pk,
        "item_name": str(item),
        "unit": item.unit,
        "quantity": quantity_text(abs(total)),
        "movements": [m.pk for m in movements],
        "batches": sorted({m.batch_id for m in movements}),
    }


# --------------------------------------------------------------------------- warehouses


@transaction.atomic
def create_warehouse(*, actor, data: dict[str, Any]) -> Warehouse:
    """Register a warehouse or reserve point of one of the five kinds (Linqing §二.(一))."""
    data = _clean_warehouse_data(data)
    owner, jurisdiction = data.get("owner"), data.get("jurisdiction")
    if owner is not None and jurisdiction is None:
        jurisdiction = data["jurisdiction"] = owner.jurisdiction
    if jurisdiction is None or not in_jurisdiction(actor, jurisdiction):
        raise ValidationFailed(
            _("The warehouse's jurisdiction is outside yours."),
            errors={"jurisdiction": [_("Outside your jurisdiction.")]},
        )
    if not can_create_warehouse(actor, owner=owner, jurisdiction=jurisdiction):
        raise PermissionDeniedError(_("You may not register warehouses here."))
    warehouse = Warehouse(**data)
    validated(warehouse)
    stamp_history(warehouse, actor, "created")
    warehouse.save()
    record_event(
        type=ReserveEvent.WAREHOUSE_CREATED,
        jurisdiction=warehouse.jurisdiction,
        subject=warehouse,
        actor=actor,
        organisation=warehouse.owner,
        payload={"warehouse": warehouse.pk, "name": warehouse.name, "kind": warehouse.kind},
    )
    return warehouse


@transaction.atomic
def update_warehouse(*, actor, warehouse_id: int, data: dict[str, Any]) -> Warehouse:
    """Change a warehouse's fields; only the changed ones are saved and named."""
    warehouse = _load_warehouse(warehouse_id, actor, lock=True)
    data = _clean_warehouse_data(data)
    changed = []
    for name, value in data.items():
        if getattr(warehouse, name) != value:
            setattr(warehouse, name, value)
            changed.append(name)
    if not changed:
        return warehouse
    if {"owner", "jurisdiction"} & set(changed) and not (
        in_jurisdiction(actor, warehouse.jurisdiction)
        and can_create_warehouse(actor, owner=warehouse.owner, jurisdiction=warehouse.jurisdiction)
    ):
        raise PermissionDeniedError(_("You may not hand the warehouse over there."))
    if "kind" in changed and warehouse.kind in CAPACITY_KINDS:
        if StockBatch.objects.filter(warehouse=warehouse, quantity__gt=0).exists():
            raise ValidationFailed(
                _("The warehouse still holds stock; issue or transfer it first."),
                errors={"kind": [_("The warehouse still holds stock.")]},
            )
    validated(warehouse)
    stamp_history(warehouse, actor, "edited")
    warehouse.save(update_fields=[*changed, "updated_at"])
    record_event(
        type=ReserveEvent.WAREHOUSE_UPDATED,
        jurisdiction=warehouse.jurisdiction,
        subject=warehouse,
        actor=actor,
        organisation=warehouse.owner,
        payload={"warehouse": warehouse.pk, "changed": changed},
    )
    return warehouse


# --------------------------------------------------------------------------- catalogue


@transaction.atomic
def save_item(*, actor, data: dict[str, Any], item_id: int | None = None) -> ReserveItem:
    """Add an item to the catalogue (物资目录) or change one; the bureau keeps it."""
    if not can_edit_catalogue(actor):
        raise PermissionDeniedError(_("Only the emergency bureau keeps the item catalogue."))
    unknown = set(data) - set(ITEM_FIELDS)
    if unknown:
        raise ValidationFailed(_("Unknown fields: %s") % ", ".join(sorted(unknown)))
    data = {k: ("" if v is None and k in ("spec", "external_id") else v) for k, v in data.items()}
    if item_id is None:
        item = ReserveItem(**data)
        changed = list(data)
    else:
        item = ReserveItem.objects.select_for_update().filter(pk=item_id).first()
        if item is None:
            raise NotFoundError(_("No such item in the catalogue."))
        changed = [k for k, v in data.items() if getattr(item, k) != v]
        if not changed:
            return item
        for name in changed:
            setattr(item, name, data[name])
    validated(item)
    stamp_history(item, actor, "created" if item_id is None else "edited")
    if item_id is None:
        item.save()
    else:
        item.save(update_fields=changed)
    jurisdiction = actor.jurisdiction or Jurisdiction.objects.order_by("depth", "pk").first()
    record_event(
        type=ReserveEvent.ITEM_SAVED,
        jurisdiction=jurisdiction,
        subject=item,
        actor=actor,
        payload={"item": item.pk, "code": item.code, "changed": changed},
    )
    return item


# --------------------------------------------------------------------------- levels


@transaction.atomic
def set_stock_level(
    *,
    actor,
    warehouse_id: int,
    item_id: int,
    minimum,
    agreed_capacity=None,
    delivery_hours: int | None = None,
) -> StockLevel:
    """What the warehouse keeps of an item: the minimum below which an alert is raised;
    for an enterprise-capacity or commercial-agreement reserve, the agreed capacity and
    the hours to deliver (Linqing §二.(一) 企业生产力储备, 商业协议储存)."""
    warehouse = _load_warehouse(warehouse_id, actor, lock=True)
    item = _load_item(item_id)
    try:
        minimum = Decimal(str(minimum if minimum not in (None, "") else 0))
    except ArithmeticError as exc:
        raise ValidationFailed(_("The minimum must be a number.")) from exc
    if minimum < 0:
        raise ValidationFailed(
            _("The minimum cannot be negative."), errors={"minimum": [_("Must be ≥ 0.")]}
        )
    if warehouse.kind in CAPACITY_KINDS:
        if agreed_capacity in (None, "") or delivery_hours in (None, ""):
            raise ValidationFailed(
                _("A capacity reserve needs the agreed capacity and the hours to deliver."),
                errors={
                    "agreed_capacity": [_("This field is required.")],
                    "delivery_hours": [_("This field is required.")],
                },
            )
        agreed_capacity = _positive(agreed_capacity)
        delivery_hours = int(delivery_hours)
        if delivery_hours <= 0:
            raise ValidationFailed(
                _("The hours to deliver must be positive."),
                errors={"delivery_hours": [_("Must be > 0.")]},
            )
    elif agreed_capacity not in (None, "") or delivery_hours not in (None, ""):
        raise ValidationFailed(
            _("Only capacity reserves have an agreed capacity and hours to deliver."),
            errors={"agreed_capacity": [_("Not for stock on a shelf.")]},
        )
    else:
        agreed_capacity = delivery_hours = None
    level = StockLevel.objects.select_for_update().filter(warehouse=warehouse, item=item).first()
    values = {
        "minimum": minimum,
        "agreed_capacity": agreed_capacity,
        "delivery_hours": delivery_hours,
    }
    if level is None:
        level = StockLevel(warehouse=warehouse, item=item, **values)
        changed = list(values)
    else:
        changed = [k for k, v in values.items() if getattr(level, k) != v]
        if not changed:
            return level
        for name in changed:
            setattr(level, name, values[name])
    stamp_history(level, actor, "level set")
    level.save() if level.pk is None else level.save(update_fields=changed)
    record_event(
        type=ReserveEvent.LEVEL_SET,
        jurisdiction=warehouse.jurisdiction,
        subject=level,
        actor=actor,
        organisation=warehouse.owner,
        payload={
            "warehouse": warehouse.pk,
            "item": item.pk,
            "minimum": quantity_text(minimum),
            "agreed_capacity": str(agreed_capacity) if agreed_capacity is not None else None,
            "delivery_hours": delivery_hours,
        },
    )
    return level


# --------------------------------------------------------------------------- movements


@transaction.atomic
def receive_stock(
    *,
    actor,
    warehouse_id: int,
    item_id: int,
    quantity,
    batch_number: str,
    expiry_date: datetime.date | None = None,
    reason: str = "",
    now: datetime.datetime | None = None,
) -> StockMovement:
    """Receive a batch (入库): a new batch or more of an existing one."""
    warehouse = _load_warehouse(warehouse_id, actor)
    _require_stock_kind(warehouse)
    item = _load_item(item_id)
    movement = put_stock(
        warehouse=warehouse,
        item=item,
        quantity=quantity,
        batch_number=batch_number,
        expiry_date=expiry_date,
        kind=MovementKind.RECEIVE,
        actor=actor,
        reason=_reason(reason, required=False),
        now=now,
    )
    payload = _movement_payload(warehouse, item, [movement])
    payload["batch_number"] = movement.batch.batch_number
    record_event(
        type=ReserveEvent.RECEIVED,
        jurisdiction=warehouse.jurisdiction,
        subject=warehouse,
        actor=actor,
        organisation=warehouse.owner,
        payload=payload,
    )
    return movement


@transaction.atomic
def issue_stock(
    *,
    actor,
    warehouse_id: int,
    item_id: int,
    quantity,
    reason: str,
    batch_id: int | None = None,
    now: datetime.datetime | None = None,
) -> list[StockMovement]:
    """Issue stock (出库) — from one batch, or first-expiring-first — never below zero:
    ``InsufficientStock`` (409) if the warehouse does not hold it."""
    warehouse = _load_warehouse(warehouse_id, actor)
    _require_stock_kind(warehouse)
    item = _load_item(item_id)
    movements = draw_stock(
        warehouse=warehouse,
        item=item,
        quantity=quantity,
        kind=MovementKind.ISSUE,
        actor=actor,
        reason=_reason(reason, required=True),
        batch_id=batch_id,
        now=now,
    )
    record_event(
        type=ReserveEvent.ISSUED,
        jurisdiction=warehouse.jurisdiction,
        subject=warehouse,
        actor=actor,
        organisation=warehouse.owner,
        payload=_movement_payload(warehouse, item, movements),
    )
    return movements


@transaction.atomic
def transfer_stock(
    *,
    actor,
    from_warehouse_id: int,
    to_warehouse_id: int,
    item_id: int,
    quantity,
    reason: str,
    now: datetime.datetime | None = None,
) -> list[tuple[StockMovement, StockMovement]]:
    """Move stock between two warehouses (移库): an out movement per source batch and its
    in counterpart into the same batch number and expiry at the destination. The actor
    keeps both warehouses."""
    if int(from_warehouse_id) == int(to_warehouse_id):
        raise ValidationFailed(
            _("Source and destination are the same warehouse."),
            errors={"to_warehouse": [_("Choose another warehouse.")]},
        )
    source = _load_warehouse(from_warehouse_id, actor)
    target = _load_warehouse(to_warehouse_id, actor)
    _require_stock_kind(source)
    _require_stock_kind(target)
    item = _load_item(item_id)
    reason = _reason(reason, required=True)
    now = now or timezone.now()
    # Both warehouses' batches of the item in one pk order: two opposite transfers at
    # the same moment queue instead of deadlocking.
    list(
        StockBatch.objects.select_for_update()
        .filter(warehouse__in=[source, target], item=item)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    outs = draw_stock(
        warehouse=source,
        item=item,
        quantity=quantity,
        kind=MovementKind.TRANSFER_OUT,
        actor=actor,
        reason=reason,
        now=now,
    )
    pairs = []
    for out in outs:
        moved_in = put_stock(
            warehouse=target,
            item=item,
            quantity=-out.delta,
            batch_number=out.batch.batch_number,
            expiry_date=out.batch.expiry_date,
            kind=MovementKind.TRANSFER_IN,
            actor=actor,
            reason=reason,
            counterpart=out,
            now=now,
        )
        pairs.append((out, moved_in))
    payload = _movement_payload(source, item, outs)
    payload["to_warehouse"] = target.pk
    payload["movements"] += [p[1].pk for p in pairs]
    record_event(
        type=ReserveEvent.TRANSFERRED,
        jurisdiction=source.jurisdiction,
        subject=source,
        actor=actor,
        organisation=source.owner,
        payload=payload,
    )
    return pairs


@transaction.atomic
def adjust_stock(
    *,
    actor,
    batch_id: int,
    counted_quantity,
    reason: str,
    now: datetime.datetime | None = None,
) -> StockMovement | None:
    """A stock count (盘点): set the batch to what was counted, with the reason for the
    difference. Nothing happens when the count agrees."""
    batch = StockBatch.objects.select_related("item").filter(pk=batch_id).first()
    if batch is None:
        raise NotFoundError(_("No such batch in your jurisdiction."))
    warehouse = _load_warehouse(batch.warehouse_id, actor)
    reason = _reason(reason, required=True)
    try:
        counted = Decimal(str(counted_quantity))
    except ArithmeticError as exc:
        raise ValidationFailed(_("The counted quantity must be a number.")) from exc
    if not counted.is_finite() or counted < 0 or counted != counted.quantize(Decimal("0.01")):
        raise ValidationFailed(
            _("The counted quantity must be zero or more, with at most two decimals."),
            errors={"counted_quantity": [_("Enter a valid quantity.")]},
        )
    batch = StockBatch.objects.select_for_update().get(pk=batch.pk)
    difference = counted - batch.quantity
    if not difference:
        return None
    if difference < 0:
        movement = draw_stock(
            warehouse=warehouse,
            item=batch.item,
            quantity=-difference,
            kind=MovementKind.ADJUST,
            actor=actor,
            reason=reason,
            batch_id=batch.pk,
            now=now,
        )[0]
    else:
        movement = put_stock(
            warehouse=warehouse,
            item=batch.item,
            quantity=difference,
            batch_number=batch.batch_number,
            kind=MovementKind.ADJUST,
            actor=actor,
            reason=reason,
            now=now,
        )
    payload = _movement_payload(warehouse, batch.item, [movement])
    payload.update(
        batch_number=batch.batch_number,
        counted=quantity_text(counted),
        difference=quantity_text(difference),
        reason=reason,
    )
    record_event(
        type=ReserveEvent.ADJUSTED,
        jurisdiction=warehouse.jurisdiction,
        subject=warehouse,
        actor=actor,
        organisation=warehouse.owner,
        payload=payload,
    )
    return movement


# --------------------------------------------------------------------------- audit


def check_stock(*, warehouse_id: int | None = None) -> list[StockBatch]:
    """The batches whose quantity differs from the sum of their movements' changes (an
    empty list when the books agree). One query."""
    sums = (
        StockMovement.objects.filter(batch=OuterRef("pk"))
        .order_by()
        .values("batch")
        .annotate(total=Sum("delta"))
        .values("total")
    )
    zero = Value(Decimal(0), output_field=DecimalField(max_digits=14, decimal_places=2))
    batches = StockBatch.objects.select_related("warehouse", "item").annotate(
        moved=Coalesce(
            Subquery(sums, output_field=DecimalField(max_digits=14, decimal_places=2)), zero
        )
    )
    if warehouse_id is not None:
        batches = batches.filter(warehouse_id=warehouse_id)
    return [b for b in batches.order_by("pk") if b.moved != b.quantity]
