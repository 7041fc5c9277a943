"""How an owner learns that their equipment is called up (Purpose REQUISITION): the owner
unit's duty phone — or a private owner's own phone — by SMS, and the unit's accounts in
the app. Closed once the equipment is handed over or the requisition is cancelled.

Texts are Chinese whatever the UI language (they go out by SMS):
"临清市应急管理局紧急征用：挖掘机1台，12月05日08:00至12月07日18:00，用于卫运河临清段漫堤抢险。凭证ZY-…"
"""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from core.models import User
from core.roles import Role
from notify import services as notify_services
from notify.choices import Audience, Purpose
from notify.types import Recipient
from support.choices import RequisitionMode
from support.models import Requisition

__all__ = ["close_requisition", "notify_owner", "requisition_body"]

OWNER_ACCOUNT_ROLES = (Role.DEPARTMENT_EDITOR, Role.FORCE_ACCOUNT, Role.ADMINISTRATOR)
MODE_ZH = {RequisitionMode.CALL: "紧急调用", RequisitionMode.REQUISITION: "紧急征用"}


def _link(pk: int) -> str:
    try:
        return reverse("support:requisition_detail", args=[pk])
    except NoReverseMatch:  # the URLconf without support's pages (tests of other apps)
        return ""


def _short(text: str, limit: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _when(value) -> str:
    return timezone.localtime(value).strftime("%m月%d日%H:%M")


def requisition_title(requisition: Requisition) -> str:
    return f"{requisition.jurisdiction.name}{MODE_ZH.get(requisition.mode, '紧急征用')}通知"


def requisition_body(requisition: Requisition, requester_name: str) -> str:
    return (
        f"{requester_name}{MODE_ZH.get(requisition.mode, '紧急征用')}："
        f"{_short(requisition.description, 30)}{requisition.quantity}台（套），"
        f"{_when(requisition.needed_from)}至{_when(requisition.needed_until)}，"
        f"用于{_short(requisition.incident.title, 30)}。凭证{requisition.number}。"
    )


def _owner_recipients(requisition: Requisition) -> dict[str, list[Recipient]]:
    organisation = requisition.owner_organisation
    phone_label = organisation.name if organisation is not None else requisition.owner_name
    phone = requisition.owner_phone or (organisation.duty_phone if organisation else "")
    accounts: list[Recipient] = []
    if organisation is not None:
        users = (
            User.objects.filter(
                is_active=True,
                groups__name__in=list(OWNER_ACCOUNT_ROLES),
                organisation_id=organisation.pk,
            )
            .distinct()
            .order_by("pk")
        )
        accounts = [
            Recipient(label=str(u), user_id=u.pk, phone=u.phone or "", email=u.email or "")
            for u in users
        ]
    return {
        Audience.ORG_DUTY_PHONE: [Recipient(label=phone_label[:100], phone=phone)] if phone else [],
        Audience.ORG_USERS: accounts,
    }


def notify_owner(requisition: Requisition, requester_name: str) -> None:
    """Inside the requesting transaction; sent after commit."""
    notify_services.notify(
        purpose=Purpose.REQUISITION,
        subject=requisition,
        jurisdiction=requisition.jurisdiction,
        audiences=_owner_recipients(requisition),
        title=requisition_title(requisition),
        body=requisition_body(requisition, requester_name),
        link=_link(requisition.pk),
        organisation=requisition.owner_organisation,
    )


def close_requisition(requisition: Requisition) -> None:
    notify_services.close(purpose=Purpose.REQUISITION, subject=requisition)
