"""How a warning reaches its recipients through notify, and how an answer by any channel
comes back (DESIGN12 "Notifications"; Tieling §三.二.5 预警叫应).

One ``warning`` notification per recipient, written in bulk in the transaction that
publishes (a constant number of queries for 20,000 grid persons); the escalation policy
(migration notify 0004) re-sends at 5 minutes, calls at 10 and raises the supervisor and
the duty officers at 15. A cancellation is told once (``warning_cancelled``, no chase).

Texts are Chinese whatever the UI language and name no person:
"临清市水利局发布橙色洪水预警：卫运河水位超警。请回复签收。"
(notify adds the prefix, the reply code and the link).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence

from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from core.choices import OrganisationKind
from core.masking import mask_phone
from core.models import Jurisdiction, Organisation, User
from core.roles import Role
from earlywarning.choices import LEVEL_ZH, RecipientKind, WarningLevel
from earlywarning.models import HazardWarning, WarningRecipient
from forces.models import Force
from notify import services as notify_services
from notify.choices import Audience, Purpose
from notify.types import NotifyRequest, Recipient, Responder

FORCE_DUTY_PHONE_LABEL = "24小时值班电话"
FORCE_LEADER_LABEL = "队长"
ORG_DUTY_PHONE_LABEL = "单位值班电话"
SUPERVISOR_LABEL = "网格督导"
# The accounts that speak for a department (not its force accounts or screens).
ORG_USER_ROLES = (
    Role.DUTY_OFFICER,
    Role.BUREAU_APPROVER,
    Role.FIRE_DISPATCHER,
    Role.DEPARTMENT_EDITOR,
)
# A cancellation is told once; its notification ends after this (no chase, no reply).
CANCELLED_NOTICE_HOURS = 1


def level_zh(warning: HazardWarning) -> str:
    return LEVEL_ZH[WarningLevel(warning.level)]


def warning_title(warning: HazardWarning) -> str:
    # An update says so: the same phone gets both versions and must tell them apart.
    updated = "（更新）" if warning.version > 1 else ""
    return f"{level_zh(warning)}{warning.hazard_type.name}预警{updated}"


def warning_body(warning: HazardWarning) -> str:
    verb = "更新" if warning.version > 1 else "发布"
    return (
        f"{warning.issuer.name}{verb}{level_zh(warning)}{warning.hazard_type.name}预警："
        f"{warning.headline}。请回复签收。"
    )


def cancel_title(warning: HazardWarning) -> str:
    return f"解除{warning.hazard_type.name}预警"


def cancel_body(warning: HazardWarning) -> str:
    return f"{warning.issuer.name}解除{warning.hazard_type.name}预警：{warning.headline}。"


def warning_link(warning: HazardWarning) -> str:
    try:
        return reverse("earlywarning:warning_detail", args=[warning.pk])
    except NoReverseMatch:  # the pages are mounted by another part of issue 12
        return ""


# --- recipients -----------------------------------------------------------------------------


def _user_recipient(user: User) -> Recipient:
    return Recipient(
        label=str(user), user_id=user.pk, phone=user.phone or "", email=user.email or ""
    )


def _users(condition: Q) -> list[User]:
    return list(
        User.objects.filter(condition, is_active=True)
        .distinct()
        .order_by("pk")
        .only("pk", "username", "display_name", "phone", "email", "organisation_id")
    )


def _by_organisation(users: Iterable[User]) -> dict[int, list[Recipient]]:
    found: dict[int, list[Recipient]] = defaultdict(list)
    for user in users:
        found[user.organisation_id].append(_user_recipient(user))
    return found


def _bureau_duty_officers(paths: Iterable[str]) -> dict[str, list[Recipient]]:
    """The bureau's duty officers of every jurisdiction on these paths, by the
    jurisdiction's path (one query)."""
    codes = sorted({c for path in paths for c in path.split("/") if c})
    if not codes:
        return {}
    found: dict[str, list[Recipient]] = defaultdict(list)
    users = (
        User.objects.filter(
            is_active=True,
            groups__name=Role.DUTY_OFFICER,
            organisation__kind=OrganisationKind.EMERGENCY_BUREAU,
            organisation__jurisdiction__code__in=codes,
        )
        .distinct()
        .order_by("pk")
        .select_related("organisation__jurisdiction")
    )
    for user in users:
        found[user.organisation.jurisdiction.path].append(_user_recipient(user))
    return found


def _nearest(officers: dict[str, list[Recipient]], path: str) -> list[Recipient]:
    """The duty officers of the nearest jurisdiction at or above ``path`` that has any:
    a grid's county bureau."""
    codes = [c for c in path.split("/") if c]
    for depth in range(len(codes), 0, -1):
        found = officers.get("/".join(codes[:depth]) + "/")
        if found:
            return found
    return []


def audiences_for(recipients: Sequence[WarningRecipient]) -> dict[int, dict[str, list]]:
    """{recipient pk: {audience: [Recipient]}}, a constant number of queries."""
    jurisdiction_paths = dict(
        Jurisdiction.objects.filter(pk__in={r.jurisdiction_id for r in recipients}).values_list(
            "pk", "path"
        )
    )
    force_ids = {r.force_id for r in recipients if r.force_id}
    forces = {
        pk: (leader_name, leader_phone)
        for pk, leader_name, leader_phone in Force.objects.filter(pk__in=force_ids).values_list(
            "pk", "leader_name", "leader_phone"
        )
    }
    force_orgs = {r.organisation_id for r in recipients if r.kind == RecipientKind.FORCE}
    department_orgs = {r.organisation_id for r in recipients if r.kind == RecipientKind.DEPARTMENT}
    accounts = (
        _by_organisation(_users(Q(groups__name=Role.FORCE_ACCOUNT, organisation_id__in=force_orgs)))
        if force_orgs
        else {}
    )
    speakers = (
        _by_organisation(
            _users(Q(groups__name__in=ORG_USER_ROLES, organisation_id__in=department_orgs))
        )
        if department_orgs
        else {}
    )
    user_ids = {r.user_id for r in recipients if r.user_id}
    users = {u.pk: u for u in _users(Q(pk__in=user_ids))} if user_ids else {}
    grid_paths = [
        jurisdiction_paths[r.jurisdiction_id]
        for r in recipients
        if r.kind == RecipientKind.GRID_PERSON
    ]
    officers = _bureau_duty_officers(grid_paths)

    result: dict[int, dict[str, list]] = {}
    for r in recipients:
        phone = [Recipient(label=r.label, phone=r.phone)] if r.phone else []
        if r.kind == RecipientKind.GRID_PERSON:
            supervisor = (
                [
                    Recipient(
                        label=f"{SUPERVISOR_LABEL} {r.supervisor_label}".strip(),
                        phone=r.supervisor_phone,
                    )
                ]
                if r.supervisor_phone
                else []
            )
            audiences = {
                Audience.GRID_PERSON: phone,
                Audience.SUPERVISOR: supervisor,
                Audience.DUTY_OFFICERS: _nearest(officers, jurisdiction_paths[r.jurisdiction_id]),
            }
        elif r.kind == RecipientKind.FORCE:
            leader_name, leader_phone = forces.get(r.force_id, ("", ""))
            audiences = {
                Audience.FORCE_ACCOUNT: accounts.get(r.organisation_id, []),
                Audience.FORCE_DUTY_PHONE: (
                    [Recipient(label=FORCE_DUTY_PHONE_LABEL, phone=r.phone)] if r.phone else []
                ),
                Audience.FORCE_LEADER: (
                    [
                        Recipient(
                            label=f"{FORCE_LEADER_LABEL} {leader_name}".strip(),
                            phone=leader_phone,
                        )
                    ]
                    if leader_phone
                    else []
                ),
            }
        elif r.kind == RecipientKind.DEPARTMENT:
            audiences = {
                Audience.ORG_DUTY_PHONE: (
                    [Recipient(label=ORG_DUTY_PHONE_LABEL, phone=r.phone)] if r.phone else []
                ),
                Audience.ORG_USERS: speakers.get(r.organisation_id, []),
                Audience.ORG_LEADER: [],
            }
        else:
            # A duty officer is asked as an account of its bureau (rule org_users in-app):
            # the duty_officers audience is who a silent grid is raised to at 15 minutes,
            # and must not send the county's officer one message per grid at publish.
            user = users.get(r.user_id)
            audiences = {Audience.ORG_USERS: [_user_recipient(user)] if user else []}
        result[r.pk] = audiences
    return result


def _requests(
    warning: HazardWarning,
    recipients: Sequence[WarningRecipient],
    *,
    purpose: str,
    title: str,
    body: str,
    expires_at: datetime.datetime,
) -> list[NotifyRequest]:
    audiences = audiences_for(recipients)
    organisations = Organisation.objects.in_bulk(
        {r.organisation_id for r in recipients if r.organisation_id}
    )
    link = warning_link(warning)
    return [
        NotifyRequest(
            purpose=purpose,
            subject=r,
            jurisdiction=warning.jurisdiction,
            audiences=audiences[r.pk],
            title=title,
            body=body,
            link=link,
            organisation=organisations.get(r.organisation_id),
            expires_at=expires_at,
        )
        for r in recipients
    ]


def notify_recipients(warning: HazardWarning, recipients: Sequence[WarningRecipient]) -> None:
    """Ask each recipient to answer (叫应); notify chases until it does or the warning
    ends. Runs inside the publishing transaction."""
    if not recipients:
        return
    notify_services.notify_many(
        _requests(
            warning,
            recipients,
            purpose=Purpose.WARNING,
            title=warning_title(warning),
            body=warning_body(warning),
            expires_at=warning.expires_at,
        )
    )


def notify_cancelled(warning: HazardWarning, recipients: Sequence[WarningRecipient]) -> None:
    """Tell every recipient once that the warning is lifted."""
    if not recipients:
        return
    notify_services.notify_many(
        _requests(
            warning,
            recipients,
            purpose=Purpose.WARNING_CANCELLED,
            title=cancel_title(warning),
            body=cancel_body(warning),
            expires_at=timezone.now() + datetime.timedelta(hours=CANCELLED_NOTICE_HOURS),
        )
    )


def close_chase(recipients: Sequence[WarningRecipient]) -> int:
    """The warning ended (updated, cancelled, expired): nothing more is sent."""
    return notify_services.close_many(purpose=Purpose.WARNING, subjects=list(recipients))


def recipient_answered(recipient: WarningRecipient, responder: Responder) -> None:
    notify_services.acknowledged(purpose=Purpose.WARNING, subject=recipient, responder=responder)


def masked_label(recipient: WarningRecipient) -> str:
    phone = mask_phone(recipient.phone)
    return f"{recipient.label} {phone}".strip() if phone else recipient.label


# --- answers by channel ---------------------------------------------------------------------


def acknowledge_by_channel(subject_id: int, responder: Responder, text: str) -> str:
    from earlywarning.services import acknowledge_recipient

    recipient = acknowledge_recipient(actor=None, recipient_id=subject_id, responder=responder)
    return f"已签收{warning_title(recipient.warning)}，谢谢。"


def warnings_of(recipients: list[WarningRecipient]) -> dict[int, HazardWarning]:
    """The warning each recipient belongs to: its escalations are told of there, one line
    per warning and level (one query)."""
    found = HazardWarning.objects.in_bulk({r.warning_id for r in recipients})
    return {r.pk: found[r.warning_id] for r in recipients if r.warning_id in found}


def register_handlers() -> None:
    from notify import registry

    registry.register(
        Purpose.WARNING,
        acknowledge=acknowledge_by_channel,
        verb="签收",
        timeline_subjects=warnings_of,
    )
