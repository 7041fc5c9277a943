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
