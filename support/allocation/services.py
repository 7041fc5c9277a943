"""Every write of an allocation (调拨, DESIGN14 "allocation"; Linqing §二.(一) 物资调拨, SPEC
§7). Pages, the API and the demo call these functions; each one, in one transaction, locks
the request, authorises (``support.allocation.permissions``), checks the transition
(``support.choices.ALLOCATION_TRANSITIONS``), writes, records its one event last and
hands the messages to notify in the same transaction.

A request names items, quantities and the warehouse each comes from. It is approved by the
bureau of the lowest jurisdiction that holds the requester and every source warehouse;
approval issues every line from stock in the same transaction (all lines or none), so an
approved request has always been issued, and approving it twice issues once. Lines from a
capacity reserve (enterprise production capacity, commercial agreement) draw nothing: the
supplier delivers within its agreed hours, up to its agreed capacity.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from command.models import Incident
from core.events import record_event
from core.exceptions import (
    InvalidTransition,
    NotFoundError,
    PermissionDeniedError,
    ValidationFailed,
)
from core.models import Jurisdiction, Organisation, User
from core.phones import validate_personal_phone
from support.allocation import notifications
from support.allocation.permissions import (
    can_decide,
    can_record_delivery,
    can_record_receipt,
    can_request,
    can_work_request,
)
from support.choices import (
    ALLOCATION_TRANSITIONS,
    CAPACITY_KINDS,
    AllocationStatus,
    MovementKind,
)
from support.events import AllocationEvent
from support.models import (
    AllocationLine,
    AllocationRequest,
    ReserveItem,
    StockBatch,
    StockLevel,
    Warehouse,
)
from support.reserves.stock import InsufficientStock, draw_stock

__all__ = [
    "AllocationLineData",
    "approve_allocation",
    "cancel_allocation",
    "create_allocation",
    "record_delivery",
    "record_receipt",
    "reject_allocation",
    "submit_allocation",
    "update_allocation",
]

MAX_LINES = 100
# What a QUANTITY column holds (14 digits, 2 decimals).
MAX_QUANTITY = Decimal("999999999999.99")
TWO_PLACES = Decimal("0.01")
# The fields of a request that ``data`` may carry.
FIELDS = (
    "risk_period",
    "purpose",
    "destination",
    "latitude",
    "longitude",
    "needed_by",
    "receiver_name",
    "receiver_phone",
)


@dataclass(frozen=True)
class AllocationLineData:
    item_id: int
    warehouse_id: int
    quantity: Any


class OverCapacity(InvalidTransition):
    code = "over_capacity"


# --- helpers ----------------------------------------------------------------------------------


def _quantity(value: Any) -> Decimal | None:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return None
    if not number.is_finite() or number <= 0 or number > MAX_QUANTITY:
        return None
    if number != number.quantize(TWO_PLACES):
        return None
    return number


def _plain(value: Decimal) -> str:
    """2000, 2.5 — never 2E+3."""
    return f"{value.normalize():f}"


def _locked(allocation_id: int) -> AllocationRequest:
    allocation = (
        AllocationRequest.objects.select_for_update(of=("self",))
        .select_related("jurisdiction", "incident", "requesting_organisation", "requested_by")
        .filter(pk=allocation_id)
        .first()
    )
    if allocation is None:
        raise NotFoundError(_("No such allocation."))
    return allocation


def _check_transition(allocation: AllocationRequest, target: str) -> None:
    if target not in ALLOCATION_TRANSITIONS[allocation.status]:
        raise InvalidTransition(
            _("This allocation is already %(status)s: that step is no longer possible.")
            % {"status": allocation.get_status_display()}
        )


def common_jurisdiction(jurisdictions: Sequence[Jurisdiction]) -> Jurisdiction:
    """The lowest jurisdiction that holds every one of ``jurisdictions``."""
    paths = [j.ancestors_and_self() for j in jurisdictions]
    common: list[str] = []
    for codes in zip(*paths, strict=False):
        if len(set(codes)) != 1:
            break
        common.append(codes[0])
    if not common:
        raise ValidationFailed(_("The warehouses and the requester share no jurisdiction."))
    by_code = {j.code: j for j in jurisdictions}
    code = common[-1]
    return by_code.get(code) or Jurisdiction.objects.get(code=code)


def _reachable(actor: User, warehouse: Warehouse) -> bool:
    """A requester draws on the warehouses of their jurisdiction, below it and above it."""
    if actor.is_superuser:
        return True
    own = actor.jurisdiction
    if own is None:
        return False
    return own.contains(warehouse.jurisdiction) or warehouse.jurisdiction.contains(own)


def _check_request(
    *, actor: User, data: Mapping[str, Any], lines: Sequence[AllocationLineData]
) -> tuple[dict[str, Any], list[tuple[ReserveItem, Warehouse, Decimal]]]:
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    for field in ("purpose", "destination", "receiver_name"):
        text = str(data.get(field) or "").strip()
        if not text:
            errors[field] = [_("This field is required.")]
        values[field] = text
    values["risk_period"] = str(data.get("risk_period") or "").strip()[:150]
    values["destination"] = values["destination"][:200]
    values["receiver_name"] = values["receiver_name"][:50]
    phone = str(data.get("receiver_phone") or "").strip()
    if not phone:
        errors["receiver_phone"] = [_("This field is required.")]
    else:
        try:
            validate_personal_phone(phone)
        except ValidationError as error:
            errors["receiver_phone"] = list(error.messages)
    values["receiver_phone"] = phone
    needed_by = data.get("needed_by")
    if not isinstance(needed_by, datetime.datetime):
        errors["needed_by"] = [_("Give the date and time the materials are needed by.")]
    values["needed_by"] = needed_by
    latitude, longitude = data.get("latitude"), data.get("longitude")
    if (latitude is None) != (longitude is None):
        errors["latitude"] = [_("Give both coordinates or neither.")]
    values["latitude"], values["longitude"] = latitude, longitude

    resolved: list[tuple[ReserveItem, Warehouse, Decimal]] = []
    if not lines:
        errors["lines"] = [_("Ask for at least one item.")]
    elif len(lines) > MAX_LINES:
        errors["lines"] = [_("A request holds at most %(n)d lines.") % {"n": MAX_LINES}]
    else:
        items = ReserveItem.objects.in_bulk({line.item_id for line in lines})
        warehouses = Warehouse.objects.select_related("jurisdiction").in_bulk(
            {line.warehouse_id for line in lines}
        )
        levels = {
            (level.warehouse_id, level.item_id): level
            for level in StockLevel.objects.filter(
                warehouse_id__in=list(warehouses), item_id__in=list(items)
            )
        }
        line_errors = []
        for number, line in enumerate(lines, start=1):
            problems = []
            item = items.get(line.item_id)
            warehouse = warehouses.get(line.warehouse_id)
            quantity = _quantity(line.quantity)
            if item is None or not item.is_active:
                problems.append(_("Choose an item of the catalogue."))
            if warehouse is None or not warehouse.is_active or not _reachable(actor, warehouse):
                problems.append(_("Choose an active warehouse you may draw on."))
            if quantity is None:
                problems.append(_("The quantity is a number above zero with two decimals."))
            if not problems and warehouse.kind in CAPACITY_KINDS:
                level = levels.get((warehouse.pk, item.pk))
                if level is None or not level.agreed_capacity:
                    problems.append(
                        _("%(warehouse)s has no agreed capacity of %(item)s.")
                        % {"warehouse": warehouse.name, "item": item}
                    )
            if problems:
                line_errors.append(_("Line %(n)d: %(p)s") % {"n": number, "p": " ".join(problems)})
            else:
                resolved.append((item, warehouse, quantity))
        if line_errors:
            errors["lines"] = line_errors
    if errors:
        raise ValidationFailed(_("The request is incomplete."), errors=errors)
    return values, resolved


def _incident(data: Mapping[str, Any]) -> Incident | None:
    incident_id = data.get("incident_id")
    if incident_id in (None, ""):
        return None
    incident = Incident.objects.select_related("jurisdiction").filter(pk=incident_id).first()
    if incident is None:
        raise NotFoundError(_("No such incident."))
    return incident


def _base_jurisdiction(
    actor: User, data: Mapping[str, Any], incident: Incident | None
) -> Jurisdiction:
    if incident is not None:
        return incident.jurisdiction
    jurisdiction_id = data.get("jurisdiction_id")
    if jurisdiction_id not in (None, ""):
        found = Jurisdiction.objects.filter(pk=jurisdiction_id).first()
        if found is None:
            raise NotFoundError(_("No such jurisdiction."))
        return found
    if actor.jurisdiction is None:
        raise ValidationFailed(
            _("Name the jurisdiction the materials are for."),
            errors={"jurisdiction": [_("This field is required.")]},
        )
    return actor.jurisdiction


def _approving_jurisdiction(
    base: Jurisdiction, resolved: Sequence[tuple[ReserveItem, Warehouse, Decimal]]
) -> Jurisdiction:
    return common_jurisdiction([base, *(warehouse.jurisdiction for _i, warehouse, _q in resolved)])


def _new_number(now: datetime.datetime) -> str:
    prefix = f"DB{timezone.localdate(now):%Y%m%d}"
    taken = AllocationRequest.objects.filter(number__startswith=prefix).count()
    return f"{prefix}{taken + 1:03d}"


def _write_lines(
    allocation: AllocationRequest, resolved: Sequence[tuple[ReserveItem, Warehouse, Decimal]]
) -> list[AllocationLine]:
    created = []
    for item, warehouse, quantity in resolved:
        line = AllocationLine(request=allocation, item=item, warehouse=warehouse, quantity=quantity)
        line.save()
        created.append(line)
    return created


def _lines_payload(lines: Sequence[AllocationLine]) -> list[dict[str, Any]]:
    return [
        {
            "line": line.pk,
            "item": line.item_id,
            "warehouse": line.warehouse_id,
            "quantity": str(line.quantity),
        }
        for line in lines
    ]


# --- the request --------------------------------------------------------------------------------


def create_allocation(
    *, actor: User, data: Mapping[str, Any], lines: Sequence[AllocationLineData]
) -> AllocationRequest:
    """A draft request for an incident (``data["incident_id"]``) or a risk period
    (``data["risk_period"]``, with ``data["jurisdiction_id"]`` or the requester's own)."""
    lines = list(lines)
    with transaction.atomic():
        incident = _incident(data)
        base = _base_jurisdiction(actor, data, incident)
        if not can_request(actor, base):
            raise PermissionDeniedError(
                _("You may not request materials for %(area)s.") % {"area": base.name}
            )
        if incident is None and not str(data.get("risk_period") or "").strip():
            raise ValidationFailed(
                _("An allocation is for an incident or a risk period."),
                errors={"risk_period": [_("Name the incident or the risk period.")]},
            )
        organisation = actor.organisation
        if organisation is None:
            organisation_id = data.get("requesting_organisation_id")
            organisation = Organisation.objects.filter(pk=organisation_id).first()
            if organisation is None:
                raise ValidationFailed(
                    _("Name the requesting unit."),
                    errors={"requesting_organisation": [_("This field is required.")]},
                )
        values, resolved = _check_request(actor=actor, data=data, lines=lines)
        now = timezone.now()
        allocation = AllocationRequest(
            jurisdiction=_approving_jurisdiction(base, resolved),
            incident=incident,
            requested_by=actor,
            requesting_organisation=organisation,
            status=AllocationStatus.DRAFT,
            **values,
        )
        for _attempt in range(5):
            allocation.number = _new_number(now)
            try:
                with transaction.atomic():
                    allocation.save()
                break
            except IntegrityError:
                allocation.pk = None
                continue
        else:
            allocation.number = f"DB{now:%Y%m%d%H%M%S%f}"[:32]
            allocation.save()
        written = _write_lines(allocation, resolved)
        record_event(
            type=AllocationEvent.CREATED,
            jurisdiction=allocation.jurisdiction,
            subject=allocation,
            payload={
                "allocation": allocation.pk,
                "number": allocation.number,
                "incident": allocation.incident_id,
                "lines": _lines_payload(written),
            },
            actor=actor,
            organisation=organisation,
        )
    return allocation


def update_allocation(
    *,
    actor: User,
    allocation_id: int,
    data: Mapping[str, Any],
    lines: Sequence[AllocationLineData],
) -> AllocationRequest:
    """Change a draft and replace its lines (the approving jurisdiction follows the
    warehouses)."""
    lines = list(lines)
    with transaction.atomic():
        allocation = _locked(allocation_id)
        if not can_work_request(actor, allocation):
            raise PermissionDeniedError(_("You may not change this allocation."))
        if allocation.status != AllocationStatus.DRAFT:
            raise InvalidTransition(_("Only a draft can be changed."), code="allocation_not_draft")
        base = (
            allocation.incident.jurisdiction
            if allocation.incident_id
            else allocation.requesting_organisation.jurisdiction
        )
        if allocation.incident_id is None and not str(data.get("risk_period") or "").strip():
            raise ValidationFailed(
                _("An allocation is for an incident or a risk period."),
                errors={"risk_period": [_("Name the incident or the risk period.")]},
            )
        values, resolved = _check_request(actor=actor, data=data, lines=lines)
        if allocation.incident_id is not None:
            values["risk_period"] = values["risk_period"] or ""
        for field, value in values.items():
            setattr(allocation, field, value)
        allocation.jurisdiction = _approving_jurisdiction(base, resolved)
        allocation.save(update_fields=[*FIELDS, "jurisdiction", "updated_at"])
        for old in allocation.lines.all():
            old.delete()
        written = _write_lines(allocation, resolved)
        record_event(
            type=AllocationEvent.UPDATED,
            jurisdiction=allocation.jurisdiction,
            subject=allocation,
            payload={"allocation": allocation.pk, "lines": _lines_payload(written)},
            actor=actor,
            organisation=allocation.requesting_organisation,
        )
    return allocation


def submit_allocation(*, actor: User, allocation_id: int) -> AllocationRequest:
    """Send the draft to the approvers of its jurisdiction (Purpose ALLOCATION_SUBMITTED)."""
    with transaction.atomic():
        allocation = _locked(allocation_id)
        if not can_work_request(actor, allocation):
            raise PermissionDeniedError(_("You may not submit this allocation."))
        _check_transition(allocation, AllocationStatus.SUBMITTED)
        if not allocation.lines.exists():
            raise ValidationFailed(_("Ask for at least one item."))
        allocation.status = AllocationStatus.SUBMITTED
        allocation.submitted_at = timezone.now()
        allocation.save(update_fields=["status", "submitted_at", "updated_at"])
        record_event(
            type=AllocationEvent.SUBMITTED,
            jurisdiction=allocation.jurisdiction,
            subject=allocation,
            payload={"allocation": allocation.pk, "number": allocation.number},
            actor=actor,
            organisation=allocation.requesting_organisation,
        )
        notifications.notify_submitted(allocation)
    return allocation


def _issue(
    allocation: AllocationRequest, actor: User, now: datetime.datetime
) -> tuple[list[dict[str, Any]], list[AllocationLine]]:
    """Draw every stock line (locks in warehouse, item order: two approvals cannot
    deadlock); check capacity lines against the agreed capacity. All or nothing: the
    caller's transaction rolls back on the first refusal."""
    lines = list(
        allocation.lines.select_related("item", "warehouse").order_by(
            "warehouse_id", "item_id", "pk"
        )
    )
    capacity_lines = [line for line in lines if line.warehouse.kind in CAPACITY_KINDS]
    asked: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    for line in capacity_lines:
        asked[(line.warehouse_id, line.item_id)] += line.quantity
    levels = {
        (level.warehouse_id, level.item_id): level
        for level in StockLevel.objects.filter(
            warehouse_id__in={w for w, _i in asked}, item_id__in={i for _w, i in asked}
        )
    }
    for (warehouse_id, item_id), quantity in asked.items():
        level = levels.get((warehouse_id, item_id))
        line = next(li for li in capacity_lines if li.warehouse_id == warehouse_id)
        capacity = level.agreed_capacity if level is not None else None
        if not capacity or quantity > capacity:
            raise OverCapacity(
                _(
                    "%(warehouse)s agreed to supply %(capacity)s %(unit)s of %(item)s; "
                    "%(asked)s asked."
                )
                % {
                    "warehouse": line.warehouse.name,
                    "capacity": _plain(capacity or Decimal(0)),
                    "unit": line.item.unit,
                    "item": line.item,
                    "asked": _plain(quantity),
                }
            )
    issued = []
    reason = _("Allocation %(number)s") % {"number": allocation.number}
    for line in lines:
        if line.warehouse.kind in CAPACITY_KINDS:
            continue
        try:
            movements = draw_stock(
                warehouse=line.warehouse,
                item=line.item,
                quantity=line.quantity,
                kind=MovementKind.ISSUE,
                actor=actor,
                reason=reason,
                allocation_line=line,
                now=now,
            )
        except InsufficientStock as short:
            held = StockBatch.objects.filter(
                warehouse=line.warehouse, item=line.item, quantity__gt=0
            ).aggregate(total=Sum("quantity"))["total"] or Decimal(0)
            detail = _(
                "Not approved: %(warehouse)s holds %(on_hand)s %(unit)s of %(item)s; "
                "the request asks %(asked)s."
            ) % {
                "warehouse": line.warehouse.name,
                "on_hand": _plain(held),
                "unit": line.item.unit,
                "item": line.item,
                "asked": _plain(line.quantity),
            }
            raise InsufficientStock(detail, errors={"lines": [detail]}) from short
        issued.append(
            {
                "line": line.pk,
                "warehouse": line.warehouse_id,
                "item": line.item_id,
                "quantity": str(line.quantity),
                "batches": [[m.batch_id, str(-m.delta)] for m in movements],
            }
        )
    return issued, capacity_lines


def approve_allocation(*, actor: User, allocation_id: int, note: str = "") -> AllocationRequest:
    """Approve and issue every stock line from its warehouse in this same transaction.
    A second approval finds the request approved: 409, nothing drawn."""
    with transaction.atomic():
        allocation = _locked(allocation_id)
        if not can_decide(actor, allocation):
            raise PermissionDeniedError(_("You may not approve this allocation."))
        _check_transition(allocation, AllocationStatus.APPROVED)
        now = timezone.now()
        issued, capacity_lines = _issue(allocation, actor, now)
        allocation.status = AllocationStatus.APPROVED
        allocation.decided_at = now
        allocation.decided_by = actor
        allocation.decision_note = (note or "").strip()
        allocation.save(
            update_fields=["status", "decided_at", "decided_by", "decision_note", "updated_at"]
        )
        record_event(
            type=AllocationEvent.APPROVED,
            jurisdiction=allocation.jurisdiction,
            subject=allocation,
            payload={
                "allocation": allocation.pk,
                "number": allocation.number,
                "issued": issued,
                "capacity_lines": [line.pk for line in capacity_lines],
            },
            actor=actor,
            organisation=allocation.requesting_organisation,
        )
        notifications.notify_approved(allocation)
    return allocation


def reject_allocation(*, actor: User, allocation_id: int, reason: str) -> AllocationRequest:
    """The approver refuses the request, with a reason; nothing is issued."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(
            _("Give the reason."), errors={"reason": [_("This field is required.")]}
        )
    with transaction.atomic():
        allocation = _locked(allocation_id)
        if not can_decide(actor, allocation):
            raise PermissionDeniedError(_("You may not reject this allocation."))
        _check_transition(allocation, AllocationStatus.REJECTED)
        allocation.status = AllocationStatus.REJECTED
        allocation.decided_at = timezone.now()
        allocation.decided_by = actor
        allocation.decision_note = reason
        allocation.save(
            update_fields=["status", "decided_at", "decided_by", "decision_note", "updated_at"]
        )
        record_event(
            type=AllocationEvent.REJECTED,
            jurisdiction=allocation.jurisdiction,
            subject=allocation,
            payload={"allocation": allocation.pk, "reason": reason},
            actor=actor,
            organisation=allocation.requesting_organisation,
        )
        notifications.close_submitted(allocation)
    return allocation


def cancel_allocation(*, actor: User, allocation_id: int, reason: str) -> AllocationRequest:
    """The requester withdraws a draft or a request awaiting approval."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(
            _("Give the reason."), errors={"reason": [_("This field is required.")]}
        )
    with transaction.atomic():
        allocation = _locked(allocation_id)
        if not (can_work_request(actor, allocation) or can_decide(actor, allocation)):
            raise PermissionDeniedError(_("You may not cancel this allocation."))
        _check_transition(allocation, AllocationStatus.CANCELLED)
        allocation.status = AllocationStatus.CANCELLED
        allocation.decision_note = reason
        allocation.save(update_fields=["status", "decision_note", "updated_at"])
        record_event(
            type=AllocationEvent.CANCELLED,
            jurisdiction=allocation.jurisdiction,
            subject=allocation,
            payload={"allocation": allocation.pk, "reason": reason},
            actor=actor,
            organisation=allocation.requesting_organisation,
        )
        notifications.close_submitted(allocation)
    return allocation


def record_delivery(*, actor: User, allocation_id: int) -> AllocationRequest:
    """The materials left the warehouses and reached the destination (the keepers or the
    bureau say so)."""
    with transaction.atomic():
        allocation = _locked(allocation_id)
        if not can_record_delivery(actor, allocation):
            raise PermissionDeniedError(_("You may not record this delivery."))
        _check_transition(allocation, AllocationStatus.DELIVERED)
        allocation.status = AllocationStatus.DELIVERED
        allocation.delivered_at = timezone.now()
        allocation.delivered_by = actor
        allocation.save(update_fields=["status", "delivered_at", "delivered_by", "updated_at"])
        record_event(
            type=AllocationEvent.DELIVERED,
            jurisdiction=allocation.jurisdiction,
            subject=allocation,
            payload={"allocation": allocation.pk, "number": allocation.number},
            actor=actor,
            organisation=allocation.requesting_organisation,
        )
        notifications.close_approved(allocation)
    return allocation


def record_receipt(
    *,
    actor: User,
    allocation_id: int,
    received: Mapping[Any, Any],
    note: str = "",
) -> AllocationRequest:
    """The requesting side counts what arrived, line by line (a line not named arrived
    in full); a shortfall is noted on the request and in the event."""
    with transaction.atomic():
        allocation = _locked(allocation_id)
        if not can_record_receipt(actor, allocation):
            raise PermissionDeniedError(_("You may not record this receipt."))
        _check_transition(allocation, AllocationStatus.RECEIVED)
        lines = list(allocation.lines.select_related("item").order_by("pk"))
        by_id = {str(line.pk): line for line in lines}
        unknown = [key for key in received if str(key) not in by_id]
        if unknown:
            raise ValidationFailed(
                _("Lines %(ids)s are not part of this allocation.")
                % {"ids": ", ".join(str(k) for k in unknown)},
                errors={"received": [_("Unknown line.")]},
            )
        counted: dict[int, Decimal] = {}
        errors = []
        for key, value in received.items():
            line = by_id[str(key)]
            try:
                quantity = Decimal(str(value))
            except (InvalidOperation, ValueError, TypeError):
                quantity = Decimal(-1)
            if (
                not quantity.is_finite()
                or quantity < 0
                or quantity > line.quantity
                or quantity != quantity.quantize(TWO_PLACES)
            ):
                errors.append(
                    _("%(item)s: between 0 and %(max)s.")
                    % {"item": line.item, "max": _plain(line.quantity)}
                )
            else:
                counted[line.pk] = quantity
        if errors:
            raise ValidationFailed(
                _("The received quantities are wrong."), errors={"received": errors}
            )
        shortfall = []
        for line in lines:
            line.received_quantity = counted.get(line.pk, line.quantity)
            line.save(update_fields=["received_quantity"])
            if line.received_quantity < line.quantity:
                shortfall.append(
                    {
                        "line": line.pk,
                        "item": str(line.item),
                        "short": str(line.quantity - line.received_quantity),
                    }
                )
        note = (note or "").strip()
        if shortfall and not note:
            note = _("Short: %(lines)s") % {
                "lines": "; ".join(f"{s['item']} {_plain(Decimal(s['short']))}" for s in shortfall)
            }
        allocation.status = AllocationStatus.RECEIVED
        allocation.received_at = timezone.now()
        allocation.received_by = actor
        allocation.receipt_note = note
        allocation.save(
            update_fields=["status", "received_at", "received_by", "receipt_note", "updated_at"]
        )
        record_event(
            type=AllocationEvent.RECEIVED,
            jurisdiction=allocation.jurisdiction,
            subject=allocation,
            payload={"allocation": allocation.pk, "shortfall": shortfall, "note": note},
            actor=actor,
            organisation=allocation.requesting_organisation,
        )
    return allocation
