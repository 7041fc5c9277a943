"""The two primitives every change of stock goes through: ``draw_stock`` takes from a
warehouse's batches of an item, ``put_stock`` adds to one batch. Each writes the
``StockMovement`` rows that explain it, in the caller's transaction.

They do not authorise and record no event: the services above them (issue, receive,
transfer, adjust in ``support.reserves.services``; approval in
``support.allocation.services``) lock what they own, authorise, call these, then record
their one event.

Never negative: the batches of the item in the warehouse are locked in primary-key order
(two drawers cannot deadlock), the total is checked under the lock, and the database's
CHECK (quantity >= 0) refuses what a bug would let through."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.exceptions import ConflictError, ValidationFailed
from support.choices import MovementKind
from support.models import ReserveItem, StockBatch, StockMovement, Warehouse

__all__ = ["InsufficientStock", "draw_stock", "put_stock", "quantity_text"]

_DRAWS = frozenset({MovementKind.ISSUE, MovementKind.TRANSFER_OUT, MovementKind.ADJUST})
_PUTS = frozenset({MovementKind.RECEIVE, MovementKind.TRANSFER_IN, MovementKind.ADJUST})


class InsufficientStock(ConflictError):
    code = "insufficient_stock"


def _positive(quantity) -> Decimal:
    try:
        value = Decimal(str(quantity))
    except (ArithmeticError, ValueError, TypeError) as exc:
        raise ValidationFailed(_("The quantity must be a number.")) from exc
    if not value.is_finite() or value <= 0:
        raise ValidationFailed(_("The quantity must be greater than zero."))
    if value != value.quantize(Decimal("0.01")):
        raise ValidationFailed(_("The quantity has at most two decimal places."))
    return value


def quantity_text(value: Decimal) -> str:
    """A quantity as people write it: 10, 2.5 — never 1E+1."""
    text = f"{Decimal(value):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _first_expiring_first(batch: StockBatch) -> tuple:
    return (batch.expiry_date is None, batch.expiry_date or datetime.date.max, batch.pk)


def draw_stock(
    *,
    warehouse: Warehouse,
    item: ReserveItem,
    quantity,
    kind: str = MovementKind.ISSUE,
    actor=None,
    reason: str = "",
    allocation_line=None,
    batch_id: int | None = None,
    now: datetime.datetime | None = None,
) -> list[StockMovement]:
    """Take ``quantity`` of ``item`` from ``warehouse`` — from ``batch_id`` only, or from
    its batches first-expiring-first — all or nothing. Raises ``InsufficientStock`` (409)
    naming what is on hand."""
    if not connection.in_atomic_block:
        raise RuntimeError("draw_stock runs inside the caller's transaction")
    if kind not in _DRAWS:
        raise ValueError(f"not a drawing movement: {kind}")
    quantity = _positive(quantity)
    now = now or timezone.now()
    locked = StockBatch.objects.select_for_update().filter(warehouse=warehouse, item=item)
    if batch_id is not None:
        locked = locked.filter(pk=batch_id)
    batches = [b for b in locked.order_by("pk") if b.quantity > 0]
    on_hand = sum((b.quantity for b in batches), Decimal(0))
    if on_hand < quantity:
        raise InsufficientStock(
            _("%(warehouse)s holds %(on_hand)s %(unit)s of %(item)s; %(asked)s asked.")
            % {
                "warehouse": warehouse.name,
                "on_hand": quantity_text(on_hand),
                "unit": item.unit,
                "item": item,
                "asked": quantity_text(quantity),
            }
        )
    movements = []
    remaining = quantity
    for batch in sorted(batches, key=_first_expiring_first):
        take = min(batch.quantity, remaining)
        batch.quantity -= take
        batch.save(update_fields=["quantity"])
        movement = StockMovement(
            batch=batch,
            kind=kind,
            delta=-take,
            balance=batch.quantity,
            reason=reason[:200],
            allocation_line=allocation_line,
            actor=actor,
            at=now,
        )
        movement.save()
        movements.append(movement)
        remaining -= take
        if not remaining:
            break
    return movements


def put_stock(
    *,
    warehouse: Warehouse,
    item: ReserveItem,
    quantity,
    batch_number: str,
    expiry_date: datetime.date | None = None,
    kind: str = MovementKind.RECEIVE,
    actor=None,
    reason: str = "",
    counterpart: StockMovement | None = None,
    now: datetime.datetime | None = None,
) -> StockMovement:
    """Add ``quantity`` of ``item`` to the batch ``batch_number`` of ``warehouse``
    (created on first receipt; a later receipt of the same batch must not name another
    expiry date)."""
    if not connection.in_atomic_block:
        raise RuntimeError("put_stock runs inside the caller's transaction")
    if kind not in _PUTS:
        raise ValueError(f"not an adding movement: {kind}")
    quantity = _positive(quantity)
    batch_number = (batch_number or "").strip()[:40]
    if not batch_number:
        raise ValidationFailed(_("A batch number is required."))
    now = now or timezone.now()
    batch = _locked_batch(warehouse, item, batch_number, expiry_date)
    if expiry_date is not None and batch.expiry_date not in (None, expiry_date):
        raise ValidationFailed(
            _("Batch %(batch)s expires on %(date)s, not on another day.")
            % {"batch": batch_number, "date": batch.expiry_date}
        )
    batch.quantity += quantity
    batch.save(update_fields=["quantity"])
    movement = StockMovement(
        batch=batch,
        kind=kind,
        delta=quantity,
        balance=batch.quantity,
        reason=reason[:200],
        counterpart=counterpart,
        actor=actor,
        at=now,
    )
    movement.save()
    return movement


def _locked_batch(warehouse, item, batch_number, expiry_date) -> StockBatch:
    found = (
        StockBatch.objects.select_for_update()
        .filter(warehouse=warehouse, item=item, batch_number=batch_number)
        .first()
    )
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return StockBatch.objects.create(
                warehouse=warehouse,
                item=item,
                batch_number=batch_number,
                expiry_date=expiry_date,
                quantity=0,
            )
    except IntegrityError:
        # Another receipt created it at the same moment: take its row, under lock.
        return StockBatch.objects.select_for_update().get(
            warehouse=warehouse, item=item, batch_number=batch_number
        )
