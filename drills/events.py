"""The event types of drills and their plans (SPEC §8): the one place they are spelt."""

from __future__ import annotations

from enum import StrEnum, unique


@unique
class DrillEvent(StrEnum):
    CONTINGENCY_PLAN_CREATED = "drill.contingency_plan_created"
    ANNUAL_PLAN_CREATED = "drill.annual_plan_created"
    PLANNED = "drill.planned"
    UPDATED = "drill.updated"
    CONDUCTED = "drill.conducted"
    EVALUATED = "drill.evaluated"
    ACTION_CLOSED = "drill.action_closed"
    ATTACHMENT_ADDED = "drill.attachment_added"


@unique
class AfterActionEvent(StrEnum):
    """After-action reports (总结) of incidents."""

    SAVED = "afteraction.saved"
    SUBMITTED = "afteraction.submitted"
    ACCEPTED = "afteraction.accepted"
    RETURNED = "afteraction.returned"
    ACTION_CLOSED = "afteraction.action_closed"
