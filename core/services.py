"""Writes to organisations and user accounts (SPEC §1)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.translation import gettext as _

from core.events import record_event
from core.exceptions import PermissionDeniedError, ValidationFailed
from core.models import Jurisdiction, Organisation, User
from core.permissions import in_jurisdiction
from core.roles import Role


def _require_admin(actor: User | None, jurisdiction: Jurisdiction) -> None:
    # ``actor=None`` is the platform itself (migrations, the demo builder, fixtures).
    if actor is None:
        return
    if not (actor.is_superuser or actor.has_role(Role.ADMINISTRATOR)):
        raise PermissionDeniedError(_("Only administrators manage organisations and accounts."))
    if not in_jurisdiction(actor, jurisdiction):
        raise PermissionDeniedError(_("That jurisdiction is outside yours."))


@transaction.atomic
def create_organisation(
    *, actor: User | None, name: str, kind: str, jurisdiction: Jurisdiction, **fields: Any
) -> Organisation:
    """Register a unit (单位) with its linkage tier (Zhoushan §三.2)."""
    _require_admin(actor, jurisdiction)
    org = Organisation(name=name, kind=kind, jurisdiction=jurisdiction, **fields)
    try:
        org.full_clean()
    except Exception as exc:
        raise ValidationFailed(str(exc), errors=getattr(exc, "message_dict", None)) from exc
    org._history_user = actor
    org.save()
    record_event(
        type="organisation.created",
        jurisdiction=jurisdiction,
        subject=org,
        actor=actor,
        payload={"organisation_id": org.pk, "kind": kind},
    )
    return org


@transaction.atomic
def create_user_account(
    *,
    actor: User | None,
    username: str,
    organisation: Organisation,
    roles: Iterable[str],
    password: str | None = None,
    **fields: Any,
) -> User:
    """Open an account in ``organisation`` with the given roles."""
    _require_admin(actor, organisation.jurisdiction)
    unknown = set(roles) - set(Role.values)
    if unknown:
        raise ValidationFailed(
            _("Unknown roles: %(roles)s") % {"roles": ", ".join(sorted(unknown))}
        )
    user = User(username=username, organisation=organisation, **fields)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    user.groups.set(Group.objects.filter(name__in=list(roles)))
    record_event(
        type="user.created",
        jurisdiction=organisation.jurisdiction,
        subject=user,
        actor=actor,
        payload={"user_id": user.pk, "roles": sorted(roles)},
    )
    return user


# --- personal data, revealed on purpose ------------------------------------------------

# Phones a dispatcher may need to call at 3 a.m. that are masked for non-owners: shown in
# full on request, one field at a time, each request in the access log. ID numbers are
# never revealed this way (owners and administrators see them; nobody else needs to).
REVEALABLE_PHONES = {
    "forces.force": ("leader_phone", "organisation_id"),
    "forces.personnel": ("phone", "force__organisation_id"),
    "forces.expert": ("phone", "organisation_id"),
}
REVEAL_ROLES = (Role.DUTY_OFFICER, Role.FIRE_DISPATCHER, Role.BUREAU_APPROVER)


def can_reveal_phones(user: Any) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and (user.is_superuser or user.has_role(*REVEAL_ROLES, Role.ADMINISTRATOR))
    )


def reveal_phone(
    *, actor: User, model_label: str, pk: int, field: str, ip_address: str | None = None
) -> str:
    """The full phone number of one record's field, for a user whose role may call it,
    within the user's jurisdiction; recorded in ``PersonalDataAccess`` (who, when, what)
    and as a ``security.reveal`` event in the audit chain."""
    from django.apps import apps

    from core.audit import SecurityEvent
    from core.exceptions import NotFoundError
    from core.models import PersonalDataAccess
    from core.permissions import can_see_personal_data

    allowed = REVEALABLE_PHONES.get(model_label)
    if allowed is None or allowed[0] != field:
        raise NotFoundError(_("No such phone number."))
    model = apps.get_model(model_label)
    where = getattr(model, "jurisdiction_lookup", "jurisdiction")
    row = model.objects.visible_to(actor).filter(pk=pk).values(field, allowed[1], where).first()
    if row is None:
        raise NotFoundError(_("No such phone number."))
    if not (can_reveal_phones(actor) or can_see_personal_data(actor, row[allowed[1]])):
        raise PermissionDeniedError(_("Your role may not see full phone numbers."))
    subject = model.objects.get(pk=pk)
    with transaction.atomic():
        PersonalDataAccess.objects.create(
            user=actor,
            subject_type=model_label,
            subject_id=str(pk),
            subject_label=str(subject)[:200],
            field=field,
            ip_address=ip_address,
        )
        record_event(
            type=SecurityEvent.REVEAL,
            jurisdiction=Jurisdiction.objects.get(pk=row[where]),
            subject=subject,
            actor=actor,
            payload={"username": actor.username, "field": field},
            ip_address=ip_address,
        )
    return row[field] or ""
