"""The vocabulary of notifications (DESIGN10: purposes, channels, statuses, audiences)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Purpose(models.TextChoices):
    ORDER = "order", _("call-out order")  # subject: dispatch.CallOutOrder
    NOTICE = "notice", _("report notice")  # subject: dispatch.Notice (报备)
    CONSENT = "consent", _("consent requested")  # subject: dispatch.CallOutPlan
    PLAN_SUBMITTED = "plan_submitted", _("plan awaiting approval")  # subject: CallOutPlan
    ORDER_OVERDUE = "order_overdue", _("overdue step")  # subject: CallOutOrder
    ROLL_CALL = "roll_call", _("roll call")  # subject: duty.RollCallTarget
    WARNING = "warning", _("warning")  # subject: earlywarning.WarningRecipient (叫应)
    WARNING_CANCELLED = "warning_cancelled", _("warning cancelled")  # told once, not chased
    # The command HQ (issue 13)
    INSTRUCTION = "instruction", _("response instruction")  # subject: response.ResponseInstruction
    REPORT_DUE = "report_due", _("report due")  # subject: command.IncidentReport
    INCIDENT_HANDED = "incident_handed", _("incident handed over")  # subject: command.Incident
    COMMAND_TRANSFERRED = "command_transferred", _("command handed over")  # subject: Incident
    AFTER_ACTION = "after_action", _("after-action report")  # subject: drills.AfterActionReport
    ORDER_ENDED = "order_ended", _("order stood down")  # subject: CallOutOrder, told once
    # Support (issue 14)
    SUPPORT_ALERT = "support_alert", _("support alert")  # subject: support.SupportAlert, once
    ALLOCATION_SUBMITTED = "allocation_submitted", _("allocation awaiting approval")
    ALLOCATION_APPROVED = "allocation_approved", _("allocation approved")  # keepers ship
    REQUISITION = "requisition", _("requisition")  # subject: support.Requisition (the owner)
    PASSAGE_REQUEST = "passage_request", _("passage request")  # subject: PassageRequest
    COMPENSATION = "compensation", _("compensation claim")  # subject: CompensationClaim
    CASUALTY = "casualty", _("rescuer casualty")  # subject: support.CasualtyCase


class Channel(models.TextChoices):
    IN_APP = "in_app", _("in-app")
    SMS = "sms", _("SMS")
    VOICE = "voice", _("voice call")
    EMAIL = "email", _("email")


# Channels that reach a phone number: replies and key presses come back on them.
PHONE_CHANNELS = frozenset({Channel.SMS, Channel.VOICE})


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    SENT = "sent", _("sent")
    DELIVERED = "delivered", _("delivered")
    FAILED = "failed", _("failed")
    ACKNOWLEDGED = "acknowledged", _("acknowledged")
    # The chase ended (acknowledged by another path, or closed) before this went out.
    CANCELLED = "cancelled", _("cancelled")


class Audience(models.TextChoices):
    """Who, relative to the subject; the caller resolves them into Recipients."""

    FORCE_ACCOUNT = "force_account", _("force account")
    FORCE_DUTY_PHONE = "force_duty_phone", _("force's 24-hour duty phone")
    FORCE_LEADER = "force_leader", _("force leader")
    ORG_DUTY_PHONE = "org_duty_phone", _("organisation's duty phone")
    ORG_USERS = "org_users", _("organisation's accounts")
    ORG_LEADER = "org_leader", _("organisation's leader")
    APPROVERS = "approvers", _("approvers")
    DISPATCHERS = "dispatchers", _("dispatchers")
    DUTY_OFFICERS = "duty_officers", _("duty officers")
    GRID_PERSON = "grid_person", _("grid person")  # 网格责任人
    SUPERVISOR = "supervisor", _("grid supervisor")  # the township's leader on duty
    KEEPER = "keeper", _("warehouse keeper")  # 库管员: Warehouse.keeper_phone


class InboundCode(models.TextChoices):
    """The outcome of a reply, key press or link (InboundOutcome.code)."""

    ACKNOWLEDGED = "acknowledged", _("acknowledged")
    ALREADY = "already", _("already answered")
    CLOSED = "closed", _("closed")
    UNKNOWN_NUMBER = "unknown_number", _("unknown number")
    NO_MATCH = "no_match", _("no match")
    AMBIGUOUS = "ambiguous", _("ambiguous")
    EXPIRED = "expired", _("expired")
    REFUSED = "refused", _("refused")


class ResponderChannel(models.TextChoices):
    SMS = "sms", _("SMS reply")
    VOICE = "voice", _("voice key press")
    LINK = "link", _("one-time link")
    WEB = "web", _("platform")
