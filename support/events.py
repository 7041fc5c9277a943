"""The event types of support (SPEC §8): the one place they are spelt. The prefix is the
live-feed family (core/visibility.py FAMILIES)."""

from __future__ import annotations

from enum import StrEnum, unique


@unique
class ReserveEvent(StrEnum):
    WAREHOUSE_CREATED = "reserve.warehouse_created"
    WAREHOUSE_UPDATED = "reserve.warehouse_updated"
    ITEM_SAVED = "reserve.item_saved"
    LEVEL_SET = "reserve.level_set"
    RECEIVED = "reserve.received"
    ISSUED = "reserve.issued"
    TRANSFERRED = "reserve.transferred"
    ADJUSTED = "reserve.adjusted"
    IMPORTED = "reserve.imported"
    LOW_STOCK = "reserve.low_stock"
    NEAR_EXPIRY = "reserve.near_expiry"


@unique
class AllocationEvent(StrEnum):
    CREATED = "allocation.created"
    UPDATED = "allocation.updated"
    SUBMITTED = "allocation.submitted"
    APPROVED = "allocation.approved"
    REJECTED = "allocation.rejected"
    CANCELLED = "allocation.cancelled"
    DELIVERED = "allocation.delivered"
    RECEIVED = "allocation.received"


@unique
class RequisitionEvent(StrEnum):
    REQUESTED = "requisition.requested"
    HANDED_OVER = "requisition.handed_over"
    RETURNED = "requisition.returned"
    CANCELLED = "requisition.cancelled"


@unique
class PassageEvent(StrEnum):
    REQUESTED = "passage.requested"
    ACKNOWLEDGED = "passage.acknowledged"
    ACCEPTED = "passage.accepted"
    DECLINED = "passage.declined"
    LIFTED = "passage.lifted"
    WITHDRAWN = "passage.withdrawn"
    PASS_ISSUED = "passage.pass_issued"
    PASS_REVOKED = "passage.pass_revoked"


@unique
class WelfareEvent(StrEnum):
    HEALTH_RECORDED = "welfare.health_recorded"
    INSURANCE_RECORDED = "welfare.insurance_recorded"
    COMMENDED = "welfare.commended"
    CASUALTY_SUBMITTED = "welfare.casualty_submitted"
    CASUALTY_REVIEWED = "welfare.casualty_reviewed"
    CASUALTY_DECIDED = "welfare.casualty_decided"
    INSURANCE_LAPSING = "welfare.insurance_lapsing"
    MEDICAL_EXAM_DUE = "welfare.medical_exam_due"


@unique
class CompensationEvent(StrEnum):
    CREATED = "compensation.created"
    UPDATED = "compensation.updated"
    SUBMITTED = "compensation.submitted"
    REVIEWED = "compensation.reviewed"
    APPROVED = "compensation.approved"
    PAID = "compensation.paid"
    RETURNED = "compensation.returned"
    REJECTED = "compensation.rejected"


@unique
class ShelterEvent(StrEnum):
    CREATED = "shelter.created"
    UPDATED = "shelter.updated"
    IMPORTED = "shelter.imported"
    INDICATOR_SET = "shelter.indicator_set"
