"""Who welfare tells (notify recipient rules decide the channels, migration
notify/0010_welfare_rules):

- a casualty case submitted or reviewed (Purpose.CASUALTY): the duty officers and
  approvers of the emergency bureau of the force's jurisdiction;
- lapsing insurance and a medical examination due (Purpose.SUPPORT_ALERT, raised by
  ``support.welfare.alerts``): the force's organisation accounts and the force leader."""

from __future__ import annotations

from django.urls import reverse

from core.choices import OrganisationKind
from core.models import User
from core.roles import Role
from forces.models import Force
from notify import services as notify_services
from notify.choices import Audience, Purpose
from notify.types import Recipient
from support.models import CasualtyCase


def _users(**filters) -> list[Recipient]:
    users = (
        User.objects.filter(is_active=True, **filters)
        .distinct()
        .order_by("pk")
        .only("pk", "username", "display_name", "phone", "email")
    )
    return [
        Recipient(label=str(u), user_id=u.pk, phone=u.phone or "", email=u.email or "")
        for u in users
    ]


def bureau_audiences(force: Force) -> dict[str, list[Recipient]]:
    """The bureau of the force's jurisdiction: its duty officers and its approvers."""
    bureau = {
        "organisation__jurisdiction_id": force.jurisdiction_id,
        "organisation__kind": OrganisationKind.EMERGENCY_BUREAU,
    }
    return {
        Audience.DUTY_OFFICERS: _users(groups__name=Role.DUTY_OFFICER, **bureau),
        Audience.APPROVERS: _users(groups__name=Role.BUREAU_APPROVER, **bureau),
    }


def force_audiences(force: Force) -> dict[str, list[Recipient]]:
    """The force's organisation accounts (in-app) and its leader (SMS)."""
    audiences: dict[str, list[Recipient]] = {
        Audience.ORG_USERS: _users(organisation_id=force.organisation_id)
    }
    if force.leader_phone:
        audiences[Audience.FORCE_LEADER] = [
            Recipient(label=f"队长 {force.leader_name}".strip(), phone=force.leader_phone)
        ]
    return audiences


def _case(case_id: int) -> CasualtyCase:
    return CasualtyCase.objects.select_related(
        "personnel", "personnel__force", "personnel__force__jurisdiction"
    ).get(pk=case_id)


def _notify_case(case: CasualtyCase, title: str, body: str) -> None:
    force = case.personnel.force
    notify_services.notify(
        purpose=Purpose.CASUALTY,
        subject=case,
        jurisdiction=force.jurisdiction,
        audiences=bureau_audiences(force),
        title=title,
        body=body,
        link=reverse("support:casualty_detail", args=[case.pk]),
        organisation=force.organisation,
    )


def casualty_submitted(case_id: int) -> None:
    case = _case(case_id)
    force = case.personnel.force
    what = case.get_kind_display()
    procedure = "" if case.procedure == "none" else f"，申请{case.get_procedure_display()}"
    _notify_case(
        case,
        f"救援人员伤亡 · {force.name}",
        f"{force.name}{case.personnel.name}（{what}，{case.occurred_at:%Y-%m-%d}）已上报{procedure}，请审核。",
    )


def casualty_reviewed(case_id: int) -> None:
    case = _case(case_id)
    force = case.personnel.force
    _notify_case(
        case,
        f"伤亡审核意见 · {force.name}",
        f"{force.name}{case.personnel.name}的伤亡情况已审核：{case.review_note}",
    )
