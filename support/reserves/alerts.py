"""Low-stock and near-expiry alerts of the reserves (issue 14), raised by the support tick.

- *Low stock*: a stock warehouse's item on hand below its minimum. The period is the day
  it was first seen low; the alert stays open (and is not raised again) until the stock is
  back at or above the minimum, when it is resolved.
- *Near expiry*: a batch with stock that expires within its item's warning days (or has
  expired). The period is the expiry date, so each batch is told once per expiry.

Each reaches the keeper (SMS), the owner's accounts and the bureau's duty officers
through ``support.alerts.raise_alert`` (notify Purpose.SUPPORT_ALERT)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from support.alerts import raise_alert, resolve_alerts
from support.choices import CAPACITY_KINDS, AlertKind
from support.events import ReserveEvent
from support.models import StockBatch, StockLevel, SupportAlert
from support.reserves.notifications import RecipientBook
from support.reserves.selectors import stock_on_hand
from support.reserves.stock import quantity_text

__all__ = ["check_stock_alerts"]

# No item warns more than a year ahead: bounds the near-expiry query.
_LONGEST_WARNING = datetime.timedelta(days=366)


def _open_alert_ids(kind: str, model) -> set[int]:
    return set(
        SupportAlert.objects.filter(
            kind=kind,
            content_type=ContentType.objects.get_for_model(model),
            resolved_at__isnull=True,
        ).values_list("object_id", flat=True)
    )


def _low_stock(now: datetime.datetime, book: RecipientBook) -> int:
    levels = list(
        StockLevel.objects.filter(minimum__gt=0, warehouse__is_active=True)
        .exclude(warehouse__kind__in=CAPACITY_KINDS)
        .select_related("warehouse__jurisdiction", "warehouse__owner", "item")
    )
    on_hand = stock_on_hand(warehouse_ids={lv.warehouse_id for lv in levels})
    open_ids = _open_alert_ids(AlertKind.LOW_STOCK, StockLevel)
    today = timezone.localdate(now)
    raised = 0
    recovered = []
    for level in levels:
        held = on_hand.get((level.warehouse_id, level.item_id), Decimal(0))
        if held >= level.minimum:
            if level.pk in open_ids:
                recovered.append(level)
            continue
        if level.pk in open_ids:
            continue
        warehouse = level.warehouse
        title = _("Low stock: %(item)s at %(warehouse)s") % {
            "item": level.item,
            "warehouse": warehouse.name,
        }
        detail = _("%(held)s %(unit)s on hand, minimum %(minimum)s %(unit)s.") % {
            "held": quantity_text(held),
            "minimum": quantity_text(level.minimum),
            "unit": level.item.unit,
        }
        with transaction.atomic():
            alert = raise_alert(
                kind=AlertKind.LOW_STOCK,
                subject=level,
                period=today.isoformat(),
                jurisdiction=warehouse.jurisdiction,
                organisation=warehouse.owner,
                title=title,
                detail=detail,
                event_type=ReserveEvent.LOW_STOCK,
                audiences=book.audiences(warehouse),
                link=reverse("support:warehouse_detail", args=[warehouse.pk]),
                now=now,
            )
        raised += alert is not None
    if recovered:
        resolve_alerts(kind=AlertKind.LOW_STOCK, subjects=recovered, now=now)
    return raised


def _near_expiry(now: datetime.datetime, book: RecipientBook) -> int:
    today = timezone.localdate(now)
    ct = ContentType.objects.get_for_model(StockBatch)
    batches = list(
        StockBatch.objects.filter(
            quantity__gt=0,
            expiry_date__isnull=False,
            expiry_date__lte=today + _LONGEST_WARNING,
            item__expiry_warning_days__gt=0,
            warehouse__is_active=True,
        ).select_related("warehouse__jurisdiction", "warehouse__owner", "item")
    )
    due = [
        b
        for b in batches
        if b.expiry_date <= today + datetime.timedelta(days=b.item.expiry_warning_days)
    ]
    told = set(
        SupportAlert.objects.filter(
            kind=AlertKind.NEAR_EXPIRY, content_type=ct, object_id__in=[b.pk for b in due]
        ).values_list("object_id", "period")
    )
    raised = 0
    for batch in due:
        period = batch.expiry_date.isoformat()
        if (batch.pk, period) in told:
            continue
        warehouse = batch.warehouse
        values = {
            "item": batch.item,
            "batch": batch.batch_number,
            "warehouse": warehouse.name,
            "date": period,
            "quantity": quantity_text(batch.quantity),
            "unit": batch.item.unit,
        }
        if batch.expiry_date < today:
            title = _("Expired: %(item)s batch %(batch)s at %(warehouse)s") % values
        else:
            title = _("Near expiry: %(item)s batch %(batch)s at %(warehouse)s") % values
        detail = _("%(quantity)s %(unit)s expire on %(date)s.") % values
        with transaction.atomic():
            alert = raise_alert(
                kind=AlertKind.NEAR_EXPIRY,
                subject=batch,
                period=period,
                jurisdiction=warehouse.jurisdiction,
                organisation=warehouse.owner,
                title=title,
                detail=detail,
                event_type=ReserveEvent.NEAR_EXPIRY,
                audiences=book.audiences(warehouse),
                link=reverse("support:warehouse_detail", args=[warehouse.pk]),
                now=now,
            )
        raised += alert is not None
    # An emptied batch no longer needs using up.
    emptied = StockBatch.objects.filter(
        pk__in=_open_alert_ids(AlertKind.NEAR_EXPIRY, StockBatch), quantity=0
    )
    resolve_alerts(kind=AlertKind.NEAR_EXPIRY, subjects=emptied, now=now)
    return raised


def check_stock_alerts(*, now: datetime.datetime | None = None) -> int:
    """Raise the low-stock and near-expiry alerts due; return how many were raised."""
    now = now or timezone.now()
    book = RecipientBook()
    return _low_stock(now, book) + _near_expiry(now, book)
