"""Each step of a compensation claim tells the people of the next step (Purpose
COMPENSATION): submitted → the reviewing department (its accounts, or the bureau's duty
officers when the bureau reviews); reviewed → the bureau approvers; approved, paid,
returned or rejected → the claimant (its unit's accounts in the app; a requisition's
owner by SMS). The previous step's notification is closed first, so one claim has one
open notification at a time. Texts are Chinese whatever the UI language."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse

from core.choices import OrganisationKind
from core.models import User
from core.roles import Role
from notify import services as notify_services
from notify.choices import Audience, Purpose
from notify.types import Recipient
from support.choices import CompensationStatus
from support.models import CompensationClaim

__all__ = ["notify_step"]

ORG_ACCOUNT_ROLES = (Role.DEPARTMENT_EDITOR, Role.FORCE_ACCOUNT, Role.ADMINISTRATOR)
STEP_ZH = {
    CompensationStatus.SUBMITTED: "待审核",
    CompensationStatus.REVIEWED: "已审核，待政府审批",
    CompensationStatus.APPROVED: "已审批，待支付",
    CompensationStatus.PAID: "已支付",
    CompensationStatus.RETURNED: "已退回修改",
    CompensationStatus.REJECTED: "未予补偿",
}


def _link(pk: int) -> str:
    try:
        return reverse("support:compensation_detail", args=[pk])
    except NoReverseMatch:  # the URLconf without support's pages (tests of other apps)
        return ""


def _recipients(users) -> list[Recipient]:
    return [
        Recipient(label=str(u), user_id=u.pk, phone=u.phone or "", email=u.email or "")
        for u in users
    ]


def _org_accounts(organisation_id: int | None) -> list[Recipient]:
    if organisation_id is None:
        return []
    return _recipients(
        User.objects.filter(
            is_active=True,
            groups__name__in=list(ORG_ACCOUNT_ROLES),
            organisation_id=organisation_id,
        )
        .distinct()
        .order_by("pk")
    )


def _bureau(claim: CompensationClaim, role: str) -> list[Recipient]:
    return _recipients(
        User.objects.filter(
            is_active=True,
            groups__name=role,
            organisation__kind=OrganisationKind.EMERGENCY_BUREAU,
            organisation__jurisdiction_id=claim.jurisdiction_id,
        )
        .distinct()
        .order_by("pk")
    )


def _audiences(claim: CompensationClaim) -> dict[str, list[Recipient]]:
    status = claim.status
    if status == CompensationStatus.SUBMITTED:
        department = claim.reviewing_department
        if department.kind == OrganisationKind.EMERGENCY_BUREAU:
            return {Audience.DUTY_OFFICERS: _bureau(claim, Role.DUTY_OFFICER)}
        return {Audience.ORG_USERS: _org_accounts(department.pk)}
    if status == CompensationStatus.REVIEWED:
        return {Audience.APPROVERS: _bureau(claim, Role.BUREAU_APPROVER)}
    if claim.force_id is not None:
        return {Audience.ORG_USERS: _org_accounts(claim.force.organisation_id)}
    requisition = claim.requisition
    phone = requisition.owner_phone
    return {
        Audience.ORG_USERS: _org_accounts(requisition.owner_organisation_id),
        Audience.ORG_DUTY_PHONE: (
            [Recipient(label=requisition.owner_name[:100], phone=phone)] if phone else []
        ),
    }


def notify_step(claim: CompensationClaim) -> None:
    """Close the previous step's notification and tell the next step's people (inside
    the step's transaction; sent after commit)."""
    notify_services.close(purpose=Purpose.COMPENSATION, subject=claim)
    audiences = _audiences(claim)
    if not any(audiences.values()):
        return
    step = STEP_ZH.get(claim.status, "")
    amount = claim.approved_amount if claim.approved_amount is not None else claim.claimed_amount
    notify_services.notify(
        purpose=Purpose.COMPENSATION,
        subject=claim,
        jurisdiction=claim.jurisdiction,
        audiences=audiences,
        title=f"应急救援补偿{claim.number}{step}",
        body=(
            f"应急救援补偿申请{claim.number}（{claim.claimant_name}，"
            f"{claim.incident.title[:30]}，金额{amount}元）{step}。"
        ),
        link=_link(claim.pk),
        organisation=claim.reviewing_department
        if claim.status == CompensationStatus.SUBMITTED
        else None,
    )
