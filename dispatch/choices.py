"""Statuses of the dispatch chain (SPEC §4) and the transitions each allows."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class OrderStatus(models.TextChoices):
    ISSUED = "issued", _("Issued")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    DEPARTED = "departed", _("Departed")
    ARRIVED = "arrived", _("Arrived")
    COMPLETED = "completed", _("Completed")
    REPORTED = "reported", _("Result reported")
    # Stood down before finishing: the incident closed with the force still out, ended
    # explicitly with a reason (issue 13). Not open, not done: shown as such.
    ENDED = "ended", _("Stood down")


# Liaocheng §三.一.2 / Zhoushan §三.2: every step in order, none skipped or repeated.
ORDER_STEPS: dict[str, tuple[str, str]] = {
    # action: (required current status, next status)
    "acknowledge": (OrderStatus.ISSUED, OrderStatus.ACKNOWLEDGED),
    "depart": (OrderStatus.ACKNOWLEDGED, OrderStatus.DEPARTED),
    "arrive": (OrderStatus.DEPARTED, OrderStatus.ARRIVED),
    "complete": (OrderStatus.ARRIVED, OrderStatus.COMPLETED),
    "result": (OrderStatus.COMPLETED, OrderStatus.REPORTED),
}


class SpecialPeriodKind(models.TextChoices):
    FLOOD_SEASON = "flood_season", _("Flood season")
    SENSITIVE = "sensitive", _("Sensitive period")


class ReinforcementStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class NoticeStatus(models.TextChoices):
    PENDING = "pending", _("Pending delivery")
    DELIVERED = "delivered", _("Delivered")


class AlertKind(models.TextChoices):
    ACK_OVERDUE = "ack_overdue", _("Not acknowledged in time")
    ARRIVAL_OVERDUE = "arrival_overdue", _("Not arrived by the deadline")
    RESULT_OVERDUE = "result_overdue", _("Result not reported within 24 hours")
