"""Writes to organisations and user accounts (SPEC §1)."""

from __future__ import annotations

import secrets
import string
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum.cn import uscc as uscc_number

from core.events import AccountEvent, record_event
from core.exceptions import (
    ConflictError,
    InvalidTransition,
    NotFoundError,
    PermissionDeniedError,
    ValidationFailed,
)
from core.models import Jurisdiction, Organisation, User
from core.permissions import can_administer_accounts, in_jurisdiction
from core.phones import validate_personal_phone, validate_phone
from core.roles import Role, grantable_roles

# --- who administers what ----------------------------------------------------------


def _require_admin(actor: User | None) -> None:
    # ``actor=None`` is the platform itself (migrations, the demo builder, fixtures).
    if actor is not None and not can_administer_accounts(actor):
        raise PermissionDeniedError(_("Only administrators manage organisations and accounts."))


def _require_jurisdiction(actor: User | None, jurisdiction: Jurisdiction | None) -> None:
    """Outside the actor's jurisdiction an object does not exist for it (404)."""
    if actor is None or actor.is_superuser:
        return
    if jurisdiction is None or not in_jurisdiction(actor, jurisdiction):
        raise NotFoundError(_("No such organisation or account."))


def users_visible_to(user: Any):
    """Accounts of organisations in the user's jurisdiction and below; every account for
    a superuser; none for anyone else."""
    if not can_administer_accounts(user):
        return User.objects.none()
    if user.is_superuser:
        return User.objects.all()
    jurisdiction = user.jurisdiction
    if jurisdiction is None:
        return User.objects.none()
    return User.objects.filter(organisation__jurisdiction__path__startswith=jurisdiction.path)


def _locked_user(actor: User | None, user_id: int) -> User:
    """The account ``user_id`` locked for the change, after the actor is authorised to
    see it: 404 outside its jurisdiction, 403 for a superuser account."""
    _require_admin(actor)
    user = User.objects.select_for_update().filter(pk=user_id).first()
    if user is None:
        raise NotFoundError(_("No such organisation or account."))
    _require_jurisdiction(actor, user.jurisdiction)
    if user.is_superuser and not (actor is None or actor.is_superuser):
        raise PermissionDeniedError(_("Platform operators' accounts are managed by operators."))
    return user


def _refuse_self(actor: User | None, user: User, message: str) -> None:
    # No self-escalation and no self-lock-out: another administrator must do it.
    if actor is not None and actor.pk == user.pk:
        raise PermissionDeniedError(message)


def _usable_organisation(actor: User | None, organisation_id: int) -> Organisation:
    organisation = (
        Organisation.objects.select_related("jurisdiction").filter(pk=organisation_id).first()
    )
    if organisation is None:
        raise NotFoundError(_("No such organisation or account."))
    _require_jurisdiction(actor, organisation.jurisdiction)
    if not organisation.is_active:
        raise ValidationFailed(
            _("That organisation is no longer active."),
            errors={"organisation": [_("That organisation is no longer active.")]},
        )
    return organisation


def _event_jurisdiction(user: User) -> Jurisdiction:
    """Where an account's events are filed: its organisation's jurisdiction; accounts of
    no organisation (operators) at the root of the tree."""
    if user.organisation_id:
        return user.organisation.jurisdiction
    root = Jurisdiction.objects.filter(parent__isnull=True).order_by("path").first()
    if root is None:
        raise ValidationFailed(_("The jurisdiction tree is empty."))
    return root


def _checked_roles(actor: User | None, roles: Iterable[str]) -> set[str]:
    wanted = {str(r) for r in roles}
    unknown = wanted - set(Role.values)
    if unknown:
        message = _("Unknown roles: %(roles)s") % {"roles": ", ".join(sorted(unknown))}
        raise ValidationFailed(message, errors={"roles": [message]})
    refused = wanted - grantable_roles(actor)
    if refused:
        raise PermissionDeniedError(
            _("You may not grant these roles: %(roles)s") % {"roles": ", ".join(sorted(refused))}
        )
    return wanted


def _validation_failed(exc: ValidationError) -> ValidationFailed:
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return ValidationFailed("; ".join(exc.messages), errors=errors)


def _check_phone(field: str, value: str, *, personal: bool = False) -> None:
    try:
        (validate_personal_phone if personal else validate_phone)(value)
    except ValidationError as exc:
        raise ValidationFailed(exc.messages[0], errors={field: exc.messages}) from exc


def _apply_roles(user: User, roles: set[str]) -> tuple[list[str], list[str]]:
    """Replace the user's role groups; other groups (none today) are left alone."""
    current = set(user.groups.filter(name__in=Role.values).values_list("name", flat=True))
    added, removed = sorted(roles - current), sorted(current - roles)
    if removed:
        user.groups.remove(*Group.objects.filter(name__in=removed))
    if added:
        user.groups.add(*Group.objects.filter(name__in=added))
    user.__dict__.pop("role_names", None)
    return added, removed


def _end_sessions(user: User) -> int:
    """Log the account out everywhere. Django would refuse an inactive account's session
    on its next request anyway; deleting the rows makes it immediate and visible."""
    mine = [
        session.session_key
        for session in Session.objects.filter(expire_date__gt=timezone.now())
        if session.get_decoded().get("_auth_user_id") == str(user.pk)
    ]
    if mine:
        Session.objects.filter(session_key__in=mine).delete()
    return len(mine)


# --- organisations -------------------------------------------------------------------

ORGANISATION_FIELDS = (
    "name",
    "short_name",
    "kind",
    "sector",
    "jurisdiction",
    "linkage_tier",
    "risk_class",
    "uscc",
    "duty_phone",
    "address",
)


def _validate_organisation(org: Organisation) -> None:
    if org.uscc:
        org.uscc = org.uscc.strip().upper()
        if not uscc_number.is_valid(org.uscc):
            message = _("Enter a valid unified social credit code (18 characters).")
            raise ValidationFailed(message, errors={"uscc": [message]})
    _check_phone("duty_phone", org.duty_phone)
    try:
        org.full_clean()
    except ValidationError as exc:
        raise _validation_failed(exc) from exc


@transaction.atomic
def create_organisation(
    *,
    actor: User | None,
    name: str,
    kind: str,
    jurisdiction: Jurisdiction,
    short_name: str = "",
    sector: str = "",
    linkage_tier: int | None = None,
    risk_class: str | None = None,
    uscc: str = "",
    duty_phone: str = "",
    address: str = "",
    ip_address: str | None = None,
) -> Organisation:
    """Register a unit (单位) with its linkage tier (Zhoushan §三.2), in the actor's
    jurisdiction or below."""
    _require_admin(actor)
    _require_jurisdiction(actor, jurisdiction)
    org = Organisation(
        name=name,
        short_name=short_name,
        kind=kind,
        jurisdiction=jurisdiction,
        sector=sector,
        uscc=uscc,
        duty_phone=duty_phone,
        address=address,
    )
    if linkage_tier is not None:
        org.linkage_tier = linkage_tier
    if risk_class is not None:
        org.risk_class = risk_class
    _validate_organisation(org)
    org._history_user = actor
    org.save()
    record_event(
        type=AccountEvent.ORGANISATION_CREATED,
        jurisdiction=jurisdiction,
        subject=org,
        actor=actor,
        ip_address=ip_address,
        payload={"organisation_id": org.pk, "kind": kind},
    )
    return org


@transaction.atomic
def update_organisation(
    *,
    actor: User | None,
    organisation_id: int,
    data: dict[str, Any],
    ip_address: str | None = None,
) -> Organisation:
    """Change a unit's particulars. Its old and new jurisdiction must both be the actor's
    or below; an administrator cannot move its own organisation (it would lose it)."""
    _require_admin(actor)
    org = Organisation.objects.select_for_update().filter(pk=organisation_id).first()
    if org is None:
        raise NotFoundError(_("No such organisation or account."))
    _require_jurisdiction(actor, org.jurisdiction)
    unknown = set(data) - set(ORGANISATION_FIELDS)
    if unknown:
        raise ValidationFailed(
            _("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))}
        )
    if "jurisdiction" in data and data["jurisdiction"] != org.jurisdiction:
        _require_jurisdiction(actor, data["jurisdiction"])
        if actor is not None and actor.organisation_id == org.pk and not actor.is_superuser:
            raise PermissionDeniedError(_("You cannot move your own organisation."))
    changed = [name for name, value in data.items() if getattr(org, name) != value]
    for name in changed:
        setattr(org, name, data[name])
    _validate_organisation(org)
    if not changed:
        return org
    org._history_user = actor
    org.save(update_fields=changed)
    record_event(
        type=AccountEvent.ORGANISATION_UPDATED,
        jurisdiction=org.jurisdiction,
        subject=org,
        actor=actor,
        ip_address=ip_address,
        payload={"organisation_id": org.pk, "changed": sorted(changed)},
    )
    return org


# --- accounts ------------------------------------------------------------------------


@transaction.atomic
def create_user_account(
    *,
    actor: User | None,
    username: str,
    organisation: Organisation,
    roles: Iterable[str],
    display_name: str = "",
    phone: str = "",
    password: str | None = None,
    ip_address: str | None = None,
) -> User:
    """Open an account in ``organisation`` (the actor's jurisdiction or below) with roles
    the actor may grant. Superuser and staff status are not accepted here at all: the
    platform's operators are made with ``manage.py createsuperuser``."""
    _require_admin(actor)
    organisation = _usable_organisation(actor, organisation.pk)
    wanted = _checked_roles(actor, roles)
    _check_phone("phone", phone, personal=True)
    user = User(
        username=username.strip(),
        organisation=organisation,
        display_name=display_name.strip(),
        phone=phone.strip(),
    )
    try:
        user.full_clean(exclude=["password"])
        if password:
            validate_password(password, user)
    except ValidationError as exc:
        if password and not hasattr(exc, "error_dict"):
            raise ValidationFailed(
                "; ".join(exc.messages), errors={"password": exc.messages}
            ) from exc
        raise _validation_failed(exc) from exc
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:
        raise ConflictError(_("That user name is taken.")) from exc
    _apply_roles(user, wanted)
    record_event(
        type=AccountEvent.CREATED,
        jurisdiction=organisation.jurisdiction,
        subject=user,
        actor=actor,
        ip_address=ip_address,
        payload={
            "user_id": user.pk,
            "username": user.username,
            "organisation_id": organisation.pk,
            "roles": sorted(wanted),
        },
    )
    return user


@transaction.atomic
def update_user_account(
    *,
    actor: User | None,
    user_id: int,
    display_name: str,
    phone: str,
    organisation_id: int,
    roles: Iterable[str] | None = None,
    ip_address: str | None = None,
) -> User:
    """Change an account's name, phone, organisation and (optionally) roles. The old and
    the new organisation must both lie in the actor's jurisdiction; an administrator
    keeps its own organisation and roles (another administrator changes them)."""
    user = _locked_user(actor, user_id)
    previous_organisation_id = user.organisation_id
    changed: list[str] = []
    if organisation_id != user.organisation_id:
        _refuse_self(actor, user, _("You cannot move your own account to another organisation."))
        user.organisation = _usable_organisation(actor, organisation_id)
        changed.append("organisation")
    for name, value in (("display_name", display_name.strip()), ("phone", phone.strip())):
        if getattr(user, name) != value:
            setattr(user, name, value)
            changed.append(name)
    _check_phone("phone", user.phone, personal=True)
    try:
        user.full_clean(exclude=["password"])
    except ValidationError as exc:
        raise _validation_failed(exc) from exc
    if changed:
        user.save(update_fields=changed)
        record_event(
            type=AccountEvent.UPDATED,
            jurisdiction=_event_jurisdiction(user),
            subject=user,
            actor=actor,
            ip_address=ip_address,
            payload={
                "user_id": user.pk,
                "changed": sorted(changed),
                "organisation_id": user.organisation_id,
                "previous_organisation_id": previous_organisation_id,
            },
        )
    if roles is not None:
        _set_roles(actor, user, roles, ip_address)
    return user


@transaction.atomic
def set_user_roles(
    *, actor: User | None, user_id: int, roles: Iterable[str], ip_address: str | None = None
) -> User:
    """Give an account exactly ``roles`` (from the role table, those the actor may
    grant). Nobody changes their own roles."""
    user = _locked_user(actor, user_id)
    _set_roles(actor, user, roles, ip_address)
    return user


def _set_roles(
    actor: User | None, user: User, roles: Iterable[str], ip_address: str | None
) -> None:
    wanted = _checked_roles(actor, roles)
    if wanted == set(user.role_names):
        return
    _refuse_self(actor, user, _("You cannot change your own roles."))
    # Taking a role away is granting in reverse: only roles the actor may grant.
    _checked_roles(actor, set(user.role_names) - wanted)
    added, removed = _apply_roles(user, wanted)
    record_event(
        type=AccountEvent.ROLES_CHANGED,
        jurisdiction=_event_jurisdiction(user),
        subject=user,
        actor=actor,
        ip_address=ip_address,
        payload={
            "user_id": user.pk,
            "roles": sorted(wanted),
            "added": added,
            "removed": removed,
        },
    )


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        message = _("Give a reason.")
        raise ValidationFailed(message, errors={"reason": [message]})
    if len(reason) > 500:
        message = _("Keep the reason under 500 characters.")
        raise ValidationFailed(message, errors={"reason": [message]})
    return reason


@transaction.atomic
def deactivate_user(
    *, actor: User | None, user_id: int, reason: str, ip_address: str | None = None
) -> User:
    """Close an account (never delete it: events and history point at it). Its sessions
    end at once; nobody deactivates their own account."""
    user = _locked_user(actor, user_id)
    _refuse_self(actor, user, _("You cannot deactivate your own account."))
    reason = _reason(reason)
    if not user.is_active:
        raise InvalidTransition(_("The account is already inactive."))
    user.is_active = False
    user.save(update_fields=["is_active"])
    ended = _end_sessions(user)
    record_event(
        type=AccountEvent.DEACTIVATED,
        jurisdiction=_event_jurisdiction(user),
        subject=user,
        actor=actor,
        ip_address=ip_address,
        payload={"user_id": user.pk, "reason": reason, "sessions_ended": ended},
    )
    return user


@transaction.atomic
def reactivate_user(
    *, actor: User | None, user_id: int, reason: str, ip_address: str | None = None
) -> User:
    """Open a closed account again."""
    user = _locked_user(actor, user_id)
    _refuse_self(actor, user, _("You cannot reactivate your own account."))
    reason = _reason(reason)
    if user.is_active:
        raise InvalidTransition(_("The account is already active."))
    user.is_active = True
    user.save(update_fields=["is_active"])
    record_event(
        type=AccountEvent.REACTIVATED,
        jurisdiction=_event_jurisdiction(user),
        subject=user,
        actor=actor,
        ip_address=ip_address,
        payload={"user_id": user.pk, "reason": reason},
    )
    return user


def generate_password(length: int = 16) -> str:
    """A temporary password with every character class, for an administrator to hand
    over once."""
    classes = (string.ascii_uppercase, string.ascii_lowercase, string.digits, "!#%+-=@_")
    alphabet = "".join(classes)
    while True:
        candidate = "".join(secrets.choice(alphabet) for _ in range(length))
        if all(any(ch in cls for ch in candidate) for cls in classes):
            return candidate


@transaction.atomic
def reset_user_password(
    *,
    actor: User | None,
    user_id: int,
    password: str | None = None,
    ip_address: str | None = None,
) -> str:
    """Set a temporary password (the one given, or a generated one) and return it to
    show once. It must pass the password rules; the account's sessions end (Django's
    session hash). The event never carries the password. Your own password you change
    yourself, knowing the old one."""
    user = _locked_user(actor, user_id)
    _refuse_self(actor, user, _("Change your own password on your password page."))
    generated = not password
    new_password = password or generate_password()
    try:
        validate_password(new_password, user)
    except ValidationError as exc:
        raise ValidationFailed("; ".join(exc.messages), errors={"password": exc.messages}) from exc
    user.set_password(new_password)
    user.save(update_fields=["password"])
    record_event(
        type=AccountEvent.PASSWORD_RESET,
        jurisdiction=_event_jurisdiction(user),
        subject=user,
        actor=actor,
        ip_address=ip_address,
        payload={"user_id": user.pk, "generated": generated},
    )
    return new_password


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
