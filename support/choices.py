"""Statuses, kinds and their allowed transitions of support (保障, SPEC §7)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ReserveKind(models.TextChoices):
    """The "1+4" reserve system (Linqing: 政府集中储备 + 企业生产力储备 + 商业协议储存 +
    社区储备站 + 家庭储备)."""

    GOVERNMENT = "government", _("Government central reserve")
    ENTERPRISE_CAPACITY = "enterprise_capacity", _("Enterprise production-capacity reserve")
    COMMERCIAL_AGREEMENT = "commercial_agreement", _("Commercial agreement reserve")
    COMMUNITY = "community", _("Community reserve station")
    HOUSEHOLD = "household", _("Household reserve")


# Reserves held as an agreed capacity and a time to deliver, not stock on a shelf.
CAPACITY_KINDS = frozenset({ReserveKind.ENTERPRISE_CAPACITY, ReserveKind.COMMERCIAL_AGREEMENT})


class ItemCategory(models.TextChoices):
    FLOOD = "flood", _("Flood control and drought relief")
    RELIEF = "relief", _("Living relief")
    RESCUE = "rescue", _("Rescue equipment")
    MEDICAL = "medical", _("Medical and epidemic prevention")
    COMMUNICATION = "communication", _("Communication and lighting")
    FIRE = "fire", _("Fire fighting")
    HAZMAT = "hazmat", _("Hazardous chemicals response")
    OTHER = "other", pgettext_lazy("item category", "Other")


class MovementKind(models.TextChoices):
    RECEIVE = "receive", _("Received")
    ISSUE = "issue", _("Issued")
    TRANSFER_OUT = "transfer_out", _("Transferred out")
    TRANSFER_IN = "transfer_in", _("Transferred in")
    ADJUST = "adjust", _("Count adjustment")


class AllocationStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("allocation", "Draft")
    SUBMITTED = "submitted", pgettext_lazy("allocation", "Awaiting approval")
    APPROVED = "approved", pgettext_lazy("allocation", "Approved and issued")
    DELIVERED = "delivered", pgettext_lazy("allocation", "Delivered")
    RECEIVED = "received", pgettext_lazy("allocation", "Received")
    REJECTED = "rejected", pgettext_lazy("allocation", "Rejected")
    CANCELLED = "cancelled", pgettext_lazy("allocation", "Cancelled")


ALLOCATION_TRANSITIONS: dict[str, frozenset[str]] = {
    AllocationStatus.DRAFT: frozenset({AllocationStatus.SUBMITTED, AllocationStatus.CANCELLED}),
    AllocationStatus.SUBMITTED: frozenset(
        {AllocationStatus.APPROVED, AllocationStatus.REJECTED, AllocationStatus.CANCELLED}
    ),
    AllocationStatus.APPROVED: frozenset({AllocationStatus.DELIVERED}),
    AllocationStatus.DELIVERED: frozenset({AllocationStatus.RECEIVED}),
    AllocationStatus.RECEIVED: frozenset(),
    AllocationStatus.REJECTED: frozenset(),
    AllocationStatus.CANCELLED: frozenset(),
}
OPEN_ALLOCATION_STATUSES = frozenset(
    {
        AllocationStatus.DRAFT,
        AllocationStatus.SUBMITTED,
        AllocationStatus.APPROVED,
        AllocationStatus.DELIVERED,
    }
)


class RequisitionStatus(models.TextChoices):
    REQUESTED = "requested", pgettext_lazy("requisition", "Requested")
    HANDED_OVER = "handed_over", pgettext_lazy("requisition", "Handed over, in use")
    RETURNED = "returned", pgettext_lazy("requisition", "Returned")
    CANCELLED = "cancelled", pgettext_lazy("requisition", "Cancelled")


REQUISITION_TRANSITIONS: dict[str, frozenset[str]] = {
    RequisitionStatus.REQUESTED: frozenset(
        {RequisitionStatus.HANDED_OVER, RequisitionStatus.CANCELLED}
    ),
    RequisitionStatus.HANDED_OVER: frozenset({RequisitionStatus.RETURNED}),
    RequisitionStatus.RETURNED: frozenset(),
    RequisitionStatus.CANCELLED: frozenset(),
}


class RequisitionMode(models.TextChoices):
    CALL = "call", _("Emergency call-up (紧急调用)")
    REQUISITION = "requisition", _("Requisition (征用)")


class PassageKind(models.TextChoices):
    TRAFFIC_CONTROL = "traffic_control", _("Traffic control")
    EMERGENCY_CHANNEL = "emergency_channel", _("Emergency channel")
    ROAD_REOPENING = "road_reopening", _("Reopening a damaged road")


class PassageStatus(models.TextChoices):
    SENT = "sent", pgettext_lazy("passage", "Sent")
    ACCEPTED = "accepted", pgettext_lazy("passage", "In force")
    DECLINED = "declined", pgettext_lazy("passage", "Declined")
    LIFTED = "lifted", pgettext_lazy("passage", "Lifted")
    WITHDRAWN = "withdrawn", pgettext_lazy("passage", "Withdrawn")


PASSAGE_TRANSITIONS: dict[str, frozenset[str]] = {
    PassageStatus.SENT: frozenset(
        {PassageStatus.ACCEPTED, PassageStatus.DECLINED, PassageStatus.WITHDRAWN}
    ),
    PassageStatus.ACCEPTED: frozenset({PassageStatus.LIFTED}),
    PassageStatus.DECLINED: frozenset(),
    PassageStatus.LIFTED: frozenset(),
    PassageStatus.WITHDRAWN: frozenset(),
}


class HealthRecordKind(models.TextChoices):
    MEDICAL_EXAM = "medical_exam", _("Medical examination")
    OCCUPATIONAL = "occupational", _("Occupational health examination")
    PSYCHOLOGICAL = "psychological", _("Psychological assessment")


class CommendationLevel(models.TextChoices):
    PRAISE = "praise", _("Praise (表扬)")
    COMMENDATION = "commendation", _("Commendation (嘉奖)")
    THIRD_CLASS = "third_class", _("Third-class merit (三等功)")
    SECOND_CLASS = "second_class", _("Second-class merit (二等功)")
    FIRST_CLASS = "first_class", _("First-class merit (一等功)")
    AWARD = "award", _("Award or honorary title")


class CasualtyKind(models.TextChoices):
    INJURED = "injured", _("Injured")
    DISABLED = "disabled", _("Disabled")
    KILLED = "killed", _("Killed in the line of duty")


class CasualtyProcedure(models.TextChoices):
    NONE = "none", _("No assessment")
    DISABILITY = "disability", _("Disability assessment (评残)")
    MARTYR = "martyr", _("Martyr assessment (评烈)")


class CasualtyStatus(models.TextChoices):
    SUBMITTED = "submitted", pgettext_lazy("casualty", "Submitted")
    REVIEWED = "reviewed", pgettext_lazy("casualty", "Reviewed")
    DECIDED = "decided", pgettext_lazy("casualty", "Decided")


CASUALTY_TRANSITIONS: dict[str, frozenset[str]] = {
    CasualtyStatus.SUBMITTED: frozenset({CasualtyStatus.REVIEWED}),
    CasualtyStatus.REVIEWED: frozenset({CasualtyStatus.DECIDED}),
    CasualtyStatus.DECIDED: frozenset(),
}


class CompensationStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("compensation", "Draft")
    SUBMITTED = "submitted", pgettext_lazy("compensation", "Awaiting department review")
    REVIEWED = "reviewed", pgettext_lazy("compensation", "Awaiting government approval")
    APPROVED = "approved", pgettext_lazy("compensation", "Approved, awaiting payment")
    PAID = "paid", pgettext_lazy("compensation", "Paid")
    RETURNED = "returned", pgettext_lazy("compensation", "Returned for correction")
    REJECTED = "rejected", pgettext_lazy("compensation", "Rejected")


COMPENSATION_TRANSITIONS: dict[str, frozenset[str]] = {
    CompensationStatus.DRAFT: frozenset({CompensationStatus.SUBMITTED}),
    CompensationStatus.SUBMITTED: frozenset(
        {CompensationStatus.REVIEWED, CompensationStatus.RETURNED, CompensationStatus.REJECTED}
    ),
    CompensationStatus.REVIEWED: frozenset(
        {CompensationStatus.APPROVED, CompensationStatus.RETURNED, CompensationStatus.REJECTED}
    ),
    CompensationStatus.APPROVED: frozenset({CompensationStatus.PAID}),
    CompensationStatus.PAID: frozenset(),
    CompensationStatus.RETURNED: frozenset({CompensationStatus.SUBMITTED}),
    CompensationStatus.REJECTED: frozenset(),
}


class LiabilityBasis(models.TextChoices):
    """Why the public purse pays (Liaocheng §四.1)."""

    NO_LIABLE_PARTY = "no_liable_party", _("No liable party")
    LIABLE_UNABLE = "liable_unable", _("The liable party cannot pay")


class CostCategory(models.TextChoices):
    PERSONNEL = "personnel", _("Personnel and subsidies")
    FUEL = "fuel", _("Fuel")
    EQUIPMENT_WEAR = "equipment_wear", _("Equipment wear and repair")
    MATERIALS = "materials", _("Materials consumed")
    TRANSPORT = "transport", _("Transport")
    BOARD = "board", _("Food and lodging")
    RENTAL = "rental", _("Equipment rental or requisition")
    OTHER = "other", pgettext_lazy("cost category", "Other")


class ShelterKind(models.TextChoices):
    PARK = "park", _("Park")
    SQUARE = "square", _("Square")
    SCHOOL = "school", _("School")
    STADIUM = "stadium", _("Stadium")
    CIVIL_DEFENCE = "civil_defence", _("Civil-defence work")
    OTHER = "other", pgettext_lazy("shelter kind", "Other")


class ShelterLevel(models.TextChoices):
    """GB 21734 grades: how long a shelter can hold people."""

    IMMEDIATE = "immediate", _("Immediate (紧急避难场所)")
    SHORT_TERM = "short_term", _("Short-term (短期避难场所)")
    LONG_TERM = "long_term", _("Long-term (长期避难场所)")


class AlertKind(models.TextChoices):
    LOW_STOCK = "low_stock", _("Low stock")
    NEAR_EXPIRY = "near_expiry", _("Near expiry")
    INSURANCE_LAPSING = "insurance_lapsing", _("Accident insurance lapsing")
    MEDICAL_EXAM_DUE = "medical_exam_due", _("Medical examination due")
