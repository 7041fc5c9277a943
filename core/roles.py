"""Roles are Django groups (SPEC §1). Model permissions per role are granted here, once,
after every migrate, so a fresh database and an old one hold the same matrix."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    DUTY_OFFICER = "duty_officer", _("Duty officer")
    FIRE_DISPATCHER = "fire_dispatcher", _("Fire-brigade dispatcher")
    BUREAU_APPROVER = "bureau_approver", _("Bureau approver")
    DEPARTMENT_EDITOR = "department_editor", _("Department roster editor")
    FORCE_ACCOUNT = "force_account", _("Force account")
    EXPERT = "expert", _("Expert")
    SCREEN = "screen", _("Command-hall screen")
    SYNC_CLIENT = "sync_client", _("Provincial sync client")
    ADMINISTRATOR = "administrator", _("Administrator")


# Who may read the force registry (pages and API).
REGISTRY_READERS = frozenset(
    {
        Role.DUTY_OFFICER,
        Role.FIRE_DISPATCHER,
        Role.BUREAU_APPROVER,
        Role.DEPARTMENT_EDITOR,
        Role.EXPERT,
        Role.SYNC_CLIENT,
        Role.ADMINISTRATOR,
    }
)
# Roles an account administrator may give, by the administrator's own role. A county
# administrator holds the administration of its jurisdiction, so it may open every kind
# of account there; superuser and staff status are never a role and never granted here.
GRANTABLE_ROLES: dict[str, frozenset[str]] = {
    Role.ADMINISTRATOR: frozenset(Role.values),
}


def grantable_roles(actor: Any) -> frozenset[str]:
    """The roles ``actor`` may grant (``None`` is the platform itself: every role)."""
    if actor is None or actor.is_superuser:
        return frozenset(Role.values)
    granted: frozenset[str] = frozenset()
    for role in actor.role_names:
        granted |= GRANTABLE_ROLES.get(role, frozenset())
    return granted


# Who may write force data (object permission decides which forces).
REGISTRY_EDITORS = frozenset({Role.DEPARTMENT_EDITOR, Role.ADMINISTRATOR})

_FORCE_MODELS = ("force", "personnel", "equipment", "material", "expert", "expertgroup")
_REFERENCE_MODELS = ("specialty", "formation", "formationrequirement")

ROLE_PERMISSIONS: dict[str, list[str]] = {
    role: [f"forces.view_{m}" for m in _FORCE_MODELS + _REFERENCE_MODELS]
    + ["core.view_organisation", "core.view_jurisdiction"]
    for role in REGISTRY_READERS
}
for _role in REGISTRY_EDITORS:
    ROLE_PERMISSIONS[_role] += [
        f"forces.{action}_{m}" for m in _FORCE_MODELS for action in ("add", "change", "delete")
    ]
# Accounts and organisations are written through core.services (the /accounts/ pages),
# never through model permissions: the Django admin is for superusers only.
ROLE_PERMISSIONS[Role.ADMINISTRATOR] += [
    "core.view_event",
    "core.view_personaldataaccess",
    "core.view_user",
]
_COMMAND_READ = ["command.view_incident", "command.view_incidenttype"] + [
    f"dispatch.view_{m}"
    for m in (
        "calloutplan",
        "planline",
        "calloutorder",
        "notice",
        "reinforcementrequest",
        "dispatchalert",
        "specialperiod",
        "dispatchpolicy",
        "consent",
    )
]
for _role in (
    Role.DUTY_OFFICER,
    Role.FIRE_DISPATCHER,
    Role.BUREAU_APPROVER,
    Role.ADMINISTRATOR,
    Role.SYNC_CLIENT,
):
    ROLE_PERMISSIONS[_role] += _COMMAND_READ
for _role in (Role.DUTY_OFFICER, Role.FIRE_DISPATCHER, Role.ADMINISTRATOR):
    ROLE_PERMISSIONS[_role] += ["command.add_incident", "command.change_incident"]
ROLE_PERMISSIONS[Role.FIRE_DISPATCHER] += [
    "dispatch.add_calloutplan",
    "dispatch.change_calloutplan",
]
ROLE_PERMISSIONS[Role.BUREAU_APPROVER] += ["dispatch.change_calloutplan"]
ROLE_PERMISSIONS[Role.ADMINISTRATOR] += [
    "dispatch.add_specialperiod",
    "dispatch.change_specialperiod",
    "dispatch.add_dispatchpolicy",
    "dispatch.change_dispatchpolicy",
]
# The provincial sync client hands incidents down and registers provincial teams (forces,
# experts and their personnel, equipment, materials); everything else it only reads.
ROLE_PERMISSIONS[Role.SYNC_CLIENT] += ["command.add_incident", "command.change_incident"] + [
    f"forces.{action}_{m}"
    for m in ("force", "personnel", "equipment", "material", "expert")
    for action in ("add", "change")
]
ROLE_PERMISSIONS[Role.SCREEN] = ["core.view_jurisdiction", "command.view_incident"]
ROLE_PERMISSIONS[Role.FORCE_ACCOUNT] = ["core.view_jurisdiction", "dispatch.view_calloutorder"]

# --- duty: rosters, logs, hand-overs, spot checks ---
# Registry readers read rosters, logs and spot checks (jurisdiction scoping decides
# which); roster editors write shifts and logs where a guardian grant to their
# organisation says so; the bureau's duty officers and approvers record spot checks.
_ROSTER_MODELS = ("dutyroster", "shift", "shiftofficer", "dutylogentry", "handover")
ROSTER_EDITORS = frozenset(
    {Role.DUTY_OFFICER, Role.FIRE_DISPATCHER, Role.DEPARTMENT_EDITOR, Role.ADMINISTRATOR}
)
SPOT_CHECKERS = frozenset({Role.DUTY_OFFICER, Role.BUREAU_APPROVER, Role.ADMINISTRATOR})
for _role in REGISTRY_READERS:
    ROLE_PERMISSIONS[_role] += [f"duty.view_{m}" for m in (*_ROSTER_MODELS, "spotcheck")]
for _role in ROSTER_EDITORS:
    ROLE_PERMISSIONS[_role] += [
        f"duty.{action}_{m}" for m in _ROSTER_MODELS for action in ("add", "change")
    ]
for _role in SPOT_CHECKERS:
    ROLE_PERMISSIONS[_role] += ["duty.add_spotcheck", "duty.change_spotcheck"]

# --- duty: roll calls ---
_ROLL_CALL_READ = [
    f"duty.view_{m}"
    for m in ("rollcall", "rollcalltarget", "rollcallschedule", "rollcallintensification")
]
for _role in (
    Role.FIRE_DISPATCHER,
    Role.DUTY_OFFICER,
    Role.BUREAU_APPROVER,
    Role.ADMINISTRATOR,
    Role.SCREEN,
):
    ROLE_PERMISSIONS[_role] += _ROLL_CALL_READ
for _role in (Role.FIRE_DISPATCHER, Role.DUTY_OFFICER, Role.ADMINISTRATOR):
    ROLE_PERMISSIONS[_role] += [
        "duty.add_rollcall",
        "duty.change_rollcall",
        "duty.add_rollcallschedule",
        "duty.change_rollcallschedule",
        "duty.add_rollcallintensification",
    ]
# A force account answers its own targets (the service checks which).
ROLE_PERMISSIONS[Role.FORCE_ACCOUNT] += ["duty.change_rollcalltarget"]

# --- drills ---
_DRILL_MODELS = ("drill", "followupaction", "contingencyplan", "annualdrillplan")
for _role in REGISTRY_READERS:
    ROLE_PERMISSIONS[_role] += [
        *(f"drills.view_{m}" for m in _DRILL_MODELS),
        "drills.view_drillattachment",
        "drills.view_drillfrequencyrule",
    ]
for _role in REGISTRY_READERS - {Role.EXPERT, Role.SYNC_CLIENT}:
    ROLE_PERMISSIONS[_role] += [
        f"drills.{action}_{m}" for m in _DRILL_MODELS for action in ("add", "change")
    ] + ["drills.add_drillattachment"]


def ensure_role_groups(**kwargs: Any) -> None:
    """Create one group per role and give it exactly its model permissions."""
    from django.contrib.auth.models import Group, Permission

    for role in Role:
        group, _ = Group.objects.get_or_create(name=role.value)
        wanted = []
        for dotted in ROLE_PERMISSIONS.get(role, []):
            app_label, codename = dotted.split(".")
            perm = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if perm is not None:
                wanted.append(perm)
        group.permissions.set(wanted)
