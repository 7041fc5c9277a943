"""Who commands an incident, and the hand-overs of command (Liaocheng §三.一.3, Zhoushan
§三.1): the fire brigade commands on scene until the party committee and government set
up an on-site command HQ (现场指挥部); once a special contingency plan is activated,
command passes to the government's special HQ (专项应急指挥机构).

The rule, in one place:

* **Forward** (brigade → on-site HQ → special HQ, skipping a step allowed: a plan
  activated at once hands command straight to the special HQ) is recorded by the
  centre's roles of the incident's jurisdiction or above: duty officers, bureau
  approvers, fire dispatchers (the brigade hands command over), administrators.
* **Relief at the same level** (a new commander of the same HQ) is a hand-over too; the
  same commander again is refused.
* **Back** (the special plan ends, the special HQ stands down and the on-site HQ or the
  brigade resumes) only by the bureau (duty officers, approvers, administrators), and
  only with a note saying why. A fire dispatcher cannot take command back.
* A closed incident's command is history: no hand-over.

Each hand-over is a CommandTransfer row (timestamped, who handed to whom), the incident's
``command_authority``/``commander`` follow it, the event ``incident.command_transferred``
goes on the timeline, and the forces with open orders on the incident are told
(Purpose.COMMAND_TRANSFERRED) with the duty officers and dispatchers of the jurisdiction.
Command cannot import dispatch: the layers above register who else must be told through
``register_audience`` (dispatch: the organisations of forces with open orders).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from command.choices import CommandAuthority, IncidentStatus
from command.events import IncidentEvent
from command.models import CommandTransfer, Incident
from core.choices import OrganisationKind
from core.events import record_event
from core.exceptions import (
    InvalidTransition,
    NotFoundError,
    PermissionDeniedError,
    ValidationFailed,
)
from core.models import Organisation, User
from core.permissions import in_jurisdiction
from core.roles import Role
from notify import services as notify_services
from notify.choices import Audience, Purpose
from notify.types import NotifyRequest, Recipient

__all__ = [
    "AUTHORITY_ORDER",
    "can_transfer_command",
    "register_audience",
    "transfer_command",
    "transfers_of",
]

# The order command passes in (CommandAuthority is declared in that order).
AUTHORITY_ORDER: dict[str, int] = {value: rank for rank, value in enumerate(CommandAuthority)}
# Who records a hand-over forward; who may hand command back.
FORWARD_ROLES = (
    Role.DUTY_OFFICER,
    Role.BUREAU_APPROVER,
    Role.FIRE_DISPATCHER,
    Role.ADMINISTRATOR,
)
BACK_ROLES = (Role.DUTY_OFFICER, Role.BUREAU_APPROVER, Role.ADMINISTRATOR)

# name → incident → ids of the organisations to tell (force accounts), registered by the
# layers above command (dispatch: forces with open orders).
_AUDIENCES: dict[str, Callable[[Incident], Iterable[int]]] = {}


def register_audience(name: str, organisations: Callable[[Incident], Iterable[int]]) -> None:
    """Register (or replace) who else is told of a hand-over on an incident."""
    _AUDIENCES[name] = organisations


def can_transfer_command(user: Any, incident: Incident | None = None) -> bool:
    """May ``user`` record a hand-over (forward) — on ``incident`` if given?"""
    if not getattr(user, "is_authenticated", False):
        return False
    if incident is not None and not in_jurisdiction(user, incident.jurisdiction):
        return False
    if incident is not None and incident.status != IncidentStatus.OPEN:
        return False
    return user.is_superuser or user.has_role(*FORWARD_ROLES)


def transfers_of(incident: Incident) -> list[CommandTransfer]:
    """The hand-overs of an incident in order, with who recorded them (one query)."""
    return list(
        CommandTransfer.objects.filter(incident=incident).select_related(
            "to_organisation", "recorded_by"
        )
    )


def _check_organisation(incident: Incident, organisation: Organisation | None) -> None:
    if organisation is None:
        return
    inside = incident.jurisdiction.contains(organisation.jurisdiction)
    above = organisation.jurisdiction.contains(incident.jurisdiction)
    if not organisation.is_active or not (inside or above):
        raise ValidationFailed(
            _("The commanding organisation must be of the incident's area or above it."),
            errors={"to_organisation": [_("Not an organisation of this incident's area.")]},
        )


@transaction.atomic
def transfer_command(
    *,
    actor: User,
    incident_id: int,
    to_authority: str,
    to_commander: str,
    to_organisation: Organisation | None = None,
    note: str = "",
) -> CommandTransfer:
    """Hand command of an open incident to ``to_authority`` led by ``to_commander``."""
    incident = (
        Incident.objects.select_for_update(of=("self",))
        .select_related("jurisdiction")
        .filter(pk=incident_id)
        .first()
    )
    if incident is None or not in_jurisdiction(actor, incident.jurisdiction):
        raise NotFoundError(_("No such incident in your jurisdiction."))
    if not (actor.is_superuser or actor.has_role(*FORWARD_ROLES)):
        raise PermissionDeniedError(_("Your role may not hand command over."))
    if incident.status != IncidentStatus.OPEN:
        raise InvalidTransition(
            _("The incident is closed: command is no longer handed over."),
            code="incident_closed",
        )
    to_commander = (to_commander or "").strip()
    note = (note or "").strip()
    errors: dict[str, list[str]] = {}
    if to_authority not in AUTHORITY_ORDER:
        errors["to_authority"] = [_("Choose who takes command.")]
    if not to_commander:
        errors["to_commander"] = [_("Name the commander who takes over.")]
    elif len(to_commander) > 100:
        errors["to_commander"] = [_("At most 100 characters.")]
    if errors:
        raise ValidationFailed(_("The hand-over is incomplete."), errors=errors)
    _check_organisation(incident, to_organisation)
    step = AUTHORITY_ORDER[to_authority] - AUTHORITY_ORDER[incident.command_authority]
    if step == 0 and to_commander == incident.commander:
        raise InvalidTransition(
            _("%(commander)s already commands this incident.") % {"commander": to_commander},
            code="already_commands",
        )
    if step < 0:
        if not (actor.is_superuser or actor.has_role(*BACK_ROLES)):
            raise PermissionDeniedError(
                _("Only the bureau hands command back, when the special HQ stands down.")
            )
        if not note:
            raise ValidationFailed(
                _("Say why command goes back (for example: the special plan has ended)."),
                errors={"note": [_("A hand-over back needs a reason.")]},
            )
    transfer = CommandTransfer(
        incident=incident,
        from_authority=incident.command_authority,
        from_commander=incident.commander,
        to_authority=to_authority,
        to_commander=to_commander,
        to_organisation=to_organisation,
        transferred_at=timezone.now(),
        recorded_by=actor,
        note=note,
    )
    transfer.save()
    incident.command_authority = to_authority
    incident.commander = to_commander
    incident._history_user = actor
    incident.save(update_fields=["command_authority", "commander", "updated_at"])
    record_event(
        type=IncidentEvent.COMMAND_TRANSFERRED,
        jurisdiction=incident.jurisdiction,
        subject=incident,
        actor=actor,
        payload={
            "incident_id": incident.pk,
            "transfer_id": transfer.pk,
            "from_authority": transfer.from_authority,
            "from_commander": transfer.from_commander,
            "to_authority": to_authority,
            "to_commander": to_commander,
            "to_organisation_id": to_organisation.pk if to_organisation else None,
            "back": step < 0,
        },
    )
    _notify(incident, transfer)
    return transfer


# --- who is told ----------------------------------------------------------------------------


def _recipients(**filters: Any) -> list[Recipient]:
    return [
        Recipient(label=str(u), user_id=u.pk, phone=u.phone or "", email=u.email or "")
        for u in User.objects.filter(is_active=True, **filters)
        .distinct()
        .order_by("pk")
        .only("pk", "username", "display_name", "phone", "email")
    ]


def _notify(incident: Incident, transfer: CommandTransfer) -> None:
    """The forces with open orders (force accounts), the duty officers of the bureau and
    the dispatchers of the brigade of the incident's jurisdiction, once per hand-over."""
    organisation_ids: set[int] = set()
    for organisations in _AUDIENCES.values():
        organisation_ids.update(organisations(incident))
    audiences = {
        Audience.DUTY_OFFICERS: _recipients(
            groups__name=Role.DUTY_OFFICER,
            organisation__kind=OrganisationKind.EMERGENCY_BUREAU,
            organisation__jurisdiction=incident.jurisdiction,
        ),
        Audience.DISPATCHERS: _recipients(
            groups__name=Role.FIRE_DISPATCHER,
            organisation__kind=OrganisationKind.FIRE_RESCUE,
            organisation__jurisdiction=incident.jurisdiction,
        ),
        Audience.FORCE_ACCOUNT: (
            _recipients(groups__name=Role.FORCE_ACCOUNT, organisation_id__in=organisation_ids)
            if organisation_ids
            else []
        ),
    }
    who = transfer.to_commander
    if transfer.to_organisation_id:
        who = f"{transfer.to_organisation.short_name or transfer.to_organisation.name} {who}"
    # Chinese whatever the UI language: this goes out by SMS too.
    authority = {
        CommandAuthority.FIRE_BRIGADE: "消防救援队伍现场指挥",
        CommandAuthority.ONSITE_HQ: "现场指挥部",
        CommandAuthority.SPECIAL_HQ: "政府专项应急指挥部",
    }[CommandAuthority(transfer.to_authority)]
    notify_services.notify_many(
        [
            NotifyRequest(
                purpose=Purpose.COMMAND_TRANSFERRED,
                subject=transfer,
                jurisdiction=incident.jurisdiction,
                audiences=audiences,
                title=f"指挥权移交 · {incident.title}"[:200],
                body=f"{incident.title}：指挥权已移交{authority}（{who}），请按其指令行动。",
                link=incident.get_absolute_url(),
            )
        ]
    )
