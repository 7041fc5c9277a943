"""Writes to the force registry (SPEC §2). Every page, API call, import and the demo
builder goes through these functions: they authorise, validate, save with history and
append a ``core.Event`` in one transaction."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models, transaction
from django.utils.translation import gettext as _
from guardian.core import ObjectPermissionChecker
from guardian.shortcuts import assign_perm, remove_perm

from core.events import record_event
from core.exceptions import NotFoundError, PermissionDeniedError, ValidationFailed
from core.models import Organisation, User
from core.permissions import can_manage_organisation_data, in_jurisdiction
from core.roles import Role
from core.saving import stamp_history, validated
from forces.events import ForceEvent
from forces.models import Equipment, Expert, ExpertGroup, Force, Material, Personnel, Specialty

FORCE_ITEM_MODELS: dict[str, type[models.Model]] = {
    "personnel": Personnel,
    "equipment": Equipment,
    "material": Material,
}


def _sync_client_only(user: Any) -> bool:
    """The provincial sync client writes forces, experts and their items, nothing else."""
    return not user.is_superuser and set(user.role_names) == {Role.SYNC_CLIENT}


def can_edit_force(user: Any, force: Force) -> bool:
    """Department editors edit their own organisation's forces (guardian grant to the
    organisation's group); administrators edit every force in their jurisdiction; the
    provincial sync client every force whose organisation is in its jurisdiction."""
    if not in_jurisdiction(user, force.jurisdiction):
        return False
    if user.is_superuser or user.has_role(Role.ADMINISTRATOR):
        return True
    if user.has_role(Role.SYNC_CLIENT):
        return in_jurisdiction(user, force.organisation.jurisdiction)
    if not (user.has_role(Role.DEPARTMENT_EDITOR) and user.organisation_id):
        return False
    group = user.organisation.group
    return group is not None and ObjectPermissionChecker(group).has_perm("change_force", force)


def editable_force_ids(user: Any, force_ids: Iterable[int]) -> set[int]:
    """The subset of ``force_ids`` the user may edit, in one query (list pages)."""
    ids = list(force_ids)
    if not ids or not getattr(user, "is_authenticated", False):
        return set()
    if user.is_superuser or user.has_role(Role.ADMINISTRATOR):
        return set(Force.objects.visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))
    if user.has_role(Role.SYNC_CLIENT) and user.jurisdiction is not None:
        return set(
            Force.objects.visible_to(user)
            .filter(pk__in=ids, organisation__jurisdiction__path__startswith=user.jurisdiction.path)
            .values_list("pk", flat=True)
        )
    if not (user.has_role(Role.DEPARTMENT_EDITOR) and user.organisation_id):
        return set()
    from guardian.models import GroupObjectPermission

    granted = GroupObjectPermission.objects.filter(
        group_id=user.organisation.group_id,
        permission__codename="change_force",
        permission__content_type__app_label="forces",
        object_pk__in=[str(i) for i in ids],
    ).values_list("object_pk", flat=True)
    return {int(pk) for pk in granted}


def _load_force_for_update(force_id: int, actor: Any) -> Force:
    force = (
        Force.objects.select_for_update(of=("self",))
        .select_related("organisation__group", "jurisdiction")
        .filter(pk=force_id)
        .first()
    )
    if force is None or not in_jurisdiction(actor, force.jurisdiction):
        raise NotFoundError(_("No such force in your jurisdiction."))
    if not can_edit_force(actor, force):
        raise PermissionDeniedError(_("You may not edit this force."))
    return force


def _require_visible_organisation(actor: Any, organisation: Organisation) -> None:
    if not in_jurisdiction(actor, organisation.jurisdiction):
        raise NotFoundError(_("No such organisation in your jurisdiction."))


def _grant_force_to(organisation: Organisation, force: Force) -> None:
    assign_perm("forces.change_force", organisation.group, force)


@transaction.atomic
def create_force(
    *,
    actor: User,
    organisation: Organisation,
    data: dict[str, Any],
    specialties: Iterable[Specialty] = (),
    reason: str = "created",
) -> Force:
    """Register a force for ``organisation`` (Liaocheng §三.二.1: departments enter and
    keep current their forces' basic data)."""
    _require_visible_organisation(actor, organisation)
    if not can_manage_organisation_data(actor, organisation):
        raise PermissionDeniedError(_("You may not register forces for this organisation."))
    data = {k: v for k, v in data.items() if k not in {"organisation", "specialties"}}
    data.setdefault("jurisdiction", organisation.jurisdiction)
    force = Force(organisation=organisation, **data)
    if not in_jurisdiction(actor, force.jurisdiction):
        raise ValidationFailed(
            _("The force's jurisdiction is outside yours."),
            errors={"jurisdiction": [_("Outside your jurisdiction.")]},
        )
    validated(force)
    stamp_history(force, actor, reason)
    force.save()
    force.specialties.set(list(specialties))
    _grant_force_to(organisation, force)
    record_event(
        type=ForceEvent.CREATED,
        jurisdiction=force.jurisdiction,
        subject=force,
        actor=actor,
        payload={"force_id": force.pk, "category": force.category},
    )
    return force


@transaction.atomic
def update_force(
    *,
    actor: User,
    force_id: int,
    data: dict[str, Any],
    specialties: Iterable[Specialty] | None = None,
    reason: str = "edited",
) -> Force:
    """Change a force's fields. Only changed fields are saved; the history entry and the
    event name them."""
    force = _load_force_for_update(force_id, actor)
    old_org = force.organisation
    changed: list[str] = []
    for name, value in data.items():
        if name == "specialties":
            continue
        if getattr(force, name) != value:
            setattr(force, name, value)
            changed.append(name)
    if "organisation" in changed and not can_manage_organisation_data(actor, force.organisation):
        raise PermissionDeniedError(_("You may not hand the force to that organisation."))
    if "jurisdiction" in changed and not in_jurisdiction(actor, force.jurisdiction):
        raise ValidationFailed(
            _("The force's jurisdiction is outside yours."),
            errors={"jurisdiction": [_("Outside your jurisdiction.")]},
        )
    specialties_changed = False
    if specialties is not None:
        new = {s.pk for s in specialties}
        specialties_changed = new != set(force.specialties.values_list("pk", flat=True))
    if not changed and not specialties_changed:
        return force
    validated(force)
    stamp_history(force, actor, reason)
    if changed:
        force.save(update_fields=[*changed, "updated_at"])
    if specialties_changed:
        force.specialties.set(list(specialties or []))
        changed.append("specialties")
        if len(changed) == 1:
            # m2m changes alone write no row; keep "who changed what" in history too.
            force.save(update_fields=["updated_at"])
    if "organisation" in changed:
        remove_perm("forces.change_force", old_org.group, force)
        _grant_force_to(force.organisation, force)
    record_event(
        type=ForceEvent.UPDATED,
        jurisdiction=force.jurisdiction,
        subject=force,
        actor=actor,
        payload={"force_id": force.pk, "changed": changed},
    )
    return force


def _load_item(model: type[models.Model], item_id: int, actor: Any) -> models.Model:
    item = model.objects.select_for_update().filter(pk=item_id).first()
    if item is None:
        raise NotFoundError(_("No such record in your jurisdiction."))
    _load_force_for_update(item.force_id, actor)
    return item


@transaction.atomic
def add_force_item(
    *, actor: User, force_id: int, kind: str, data: dict[str, Any], reason: str = "created"
) -> Any:
    """Add a person, piece of equipment or material to a force."""
    model = FORCE_ITEM_MODELS[kind]
    force = _load_force_for_update(force_id, actor)
    item = model(force=force, **{k: v for k, v in data.items() if k != "force"})
    validated(item)
    stamp_history(item, actor, reason)
    item.save()
    record_event(
        type=ForceEvent.item(kind, "added"),
        jurisdiction=force.jurisdiction,
        subject=force,
        actor=actor,
        payload={"force_id": force.pk, "item_id": item.pk},
    )
    return item


@transaction.atomic
def update_force_item(
    *, actor: User, kind: str, item_id: int, data: dict[str, Any], reason: str = "edited"
) -> Any:
    model = FORCE_ITEM_MODELS[kind]
    item = _load_item(model, item_id, actor)
    changed = []
    for name, value in data.items():
        if name != "force" and getattr(item, name) != value:
            setattr(item, name, value)
            changed.append(name)
    if not changed:
        return item
    validated(item)
    stamp_history(item, actor, reason)
    item.save(update_fields=changed)
    record_event(
        type=ForceEvent.item(kind, "updated"),
        jurisdiction=item.force.jurisdiction,
        subject=item.force,
        actor=actor,
        payload={"force_id": item.force_id, "item_id": item.pk, "changed": changed},
    )
    return item


@transaction.atomic
def remove_force_item(*, actor: User, kind: str, item_id: int) -> None:
    model = FORCE_ITEM_MODELS[kind]
    item = _load_item(model, item_id, actor)
    force = item.force
    stamp_history(item, actor, "removed")
    item_pk = item.pk
    item.delete()
    record_event(
        type=ForceEvent.item(kind, "removed"),
        jurisdiction=force.jurisdiction,
        subject=force,
        actor=actor,
        payload={"force_id": force.pk, "item_id": item_pk},
    )


def can_edit_expert(user: Any, expert: Expert) -> bool:
    return can_manage_organisation_data(user, expert.organisation) and in_jurisdiction(
        user, expert.jurisdiction
    )


@transaction.atomic
def create_expert(
    *,
    actor: User,
    organisation: Organisation,
    data: dict[str, Any],
    specialties: Iterable[Specialty] = (),
) -> Expert:
    """Add an expert to the expert database (专家库)."""
    _require_visible_organisation(actor, organisation)
    if not can_manage_organisation_data(actor, organisation):
        raise PermissionDeniedError(_("You may not add experts for this organisation."))
    data = {k: v for k, v in data.items() if k not in {"organisation", "specialties"}}
    data.setdefault("jurisdiction", organisation.jurisdiction)
    expert = Expert(organisation=organisation, **data)
    validated(expert)
    stamp_history(expert, actor, "created")
    expert.save()
    expert.specialties.set(list(specialties))
    record_event(
        type=ForceEvent.EXPERT_CREATED,
        jurisdiction=expert.jurisdiction,
        subject=expert,
        actor=actor,
        payload={"expert_id": expert.pk},
    )
    return expert


@transaction.atomic
def update_expert(
    *,
    actor: User,
    expert_id: int,
    data: dict[str, Any],
    specialties: Iterable[Specialty] | None = None,
) -> Expert:
    expert = (
        Expert.objects.select_for_update(of=("self",))
        .select_related("organisation")
        .filter(pk=expert_id)
        .first()
    )
    if expert is None or not in_jurisdiction(actor, expert.jurisdiction):
        raise NotFoundError(_("No such expert in your jurisdiction."))
    if not can_edit_expert(actor, expert):
        raise PermissionDeniedError(_("You may not edit this expert."))
    changed = []
    for name, value in data.items():
        if name not in {"organisation", "specialties"} and getattr(expert, name) != value:
            setattr(expert, name, value)
            changed.append(name)
    specialties_changed = specialties is not None and {s.pk for s in specialties} != set(
        expert.specialties.values_list("pk", flat=True)
    )
    if not changed and not specialties_changed:
        return expert
    validated(expert)
    stamp_history(expert, actor, "edited")
    expert.save(update_fields=changed or None)
    if specialties_changed:
        expert.specialties.set(list(specialties or []))
        changed.append("specialties")
    record_event(
        type=ForceEvent.EXPERT_UPDATED,
        jurisdiction=expert.jurisdiction,
        subject=expert,
        actor=actor,
        payload={"expert_id": expert.pk, "changed": changed},
    )
    return expert


@transaction.atomic
def create_expert_group(
    *,
    actor: User,
    organisation: Organisation,
    name: str,
    disaster_type: str,
    members: Iterable[Expert] = (),
) -> ExpertGroup:
    """Form an expert group for one hazard (专家组, Linqing §三: expert database)."""
    _require_visible_organisation(actor, organisation)
    if not can_manage_organisation_data(actor, organisation) or _sync_client_only(actor):
        raise PermissionDeniedError(_("You may not form expert groups for this organisation."))
    members = list(members)
    if any(not in_jurisdiction(actor, m.jurisdiction) for m in members):
        raise ValidationFailed(
            _("Members must be experts of your jurisdiction."),
            errors={"members": [_("Outside your jurisdiction.")]},
        )
    group = ExpertGroup(
        name=name,
        disaster_type=disaster_type,
        organisation=organisation,
        jurisdiction=organisation.jurisdiction,
    )
    validated(group)
    stamp_history(group, actor, "created")
    group.save()
    group.members.set(members)
    record_event(
        type=ForceEvent.EXPERT_GROUP_CREATED,
        jurisdiction=group.jurisdiction,
        subject=group,
        actor=actor,
        payload={"expert_group_id": group.pk, "members": [m.pk for m in members]},
    )
    return group


def set_force_status(*, force: Force, status: str, actor: User | None, reason: str) -> None:
    """Move a force between standby and deployed as the dispatch chain decides.

    Called only from services that have already authorised the step and locked the force
    row; it writes history and an event like every other change."""
    if force.status == status:
        return
    old = force.status
    force.status = status
    stamp_history(force, actor, reason)
    force.save(update_fields=["status", "updated_at"])
    record_event(
        type=ForceEvent.STATUS_CHANGED,
        jurisdiction=force.jurisdiction,
        subject=force,
        actor=actor,
        payload={"force_id": force.pk, "old": old, "new": status, "reason": reason},
    )
