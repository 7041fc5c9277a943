"""Reads shared by the registry pages and exports."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import models

from core.masking import mask_id_number, mask_phone
from core.models import Jurisdiction, Organisation
from core.permissions import can_see_personal_data
from forces.choices import CommMeans
from forces.models import Equipment, Force, Material, Personnel, Specialty

PERSONAL_FIELDS = {"phone": mask_phone, "leader_phone": mask_phone, "id_number": mask_id_number}
HIDDEN_FIELDS = {"updated_at", "created_at", "id", "force"}
EMPTY = (None, "", [], False)
COMM_LABELS = dict(CommMeans.choices)


@dataclass
class HistoryEntry:
    when: datetime
    who: str
    action: str  # "+", "~" or "-"
    subject: str
    object_label: str
    changes: list[tuple[str, str, str]] = field(default_factory=list)
    reason: str = ""


def _display(model: type[models.Model], name: str, value: Any, names: dict[str, dict]) -> str:
    if value in (None, "", []):
        return "—"
    f = model._meta.get_field(name)
    if name == "comm_means":
        return "、".join(str(COMM_LABELS.get(v, v)) for v in value)
    if getattr(f, "choices", None):
        return str(dict(f.flatchoices).get(value, value))
    if isinstance(f, models.ForeignKey):
        return names.get(f.related_model._meta.label, {}).get(value, str(value))
    if isinstance(value, bool):
        return "✓" if value else "✗"
    return str(value)


def _entries_for(
    model: type[models.Model], records: list, user: Any, owner_org_id: int, names: dict[str, dict]
) -> list[HistoryEntry]:
    """Pairwise diffs of one model's history rows (oldest first) per object."""
    show_personal = can_see_personal_data(user, owner_org_id)
    fields = [f for f in model._meta.concrete_fields if f.name not in HIDDEN_FIELDS]
    has_specialties = model is Force
    specialties_label = str(Force._meta.get_field("specialties").verbose_name)
    last: dict[int, Any] = {}
    created_entries: dict[int, HistoryEntry | None] = {}
    entries = []
    for rec in records:
        prev = last.get(rec.id)
        last[rec.id] = rec
        changes = []
        if rec.history_type != "-":
            for f in fields:
                new = getattr(rec, f.attname, None)
                old = getattr(prev, f.attname, None) if prev is not None else None
                if (prev is not None and new == old) or (prev is None and new in EMPTY):
                    continue
                old_s = _display(model, f.name, old, names) if prev is not None else "—"
                new_s = _display(model, f.name, new, names)
                if f.name in PERSONAL_FIELDS and not show_personal:
                    old_s = PERSONAL_FIELDS[f.name](old) if old else "—"
                    new_s = PERSONAL_FIELDS[f.name](new) if new else "—"
                changes.append((str(f.verbose_name), old_s, new_s))
            if has_specialties:
                new_specs = _specialty_names(rec, names)
                old_specs = _specialty_names(prev, names) if prev is not None else []
                if new_specs != old_specs:
                    changes.append(
                        (
                            specialties_label,
                            "、".join(old_specs) or "—",
                            "、".join(new_specs) or "—",
                        )
                    )
        if rec.history_type == "~" and not changes:
            continue
        created = created_entries.get(rec.id)
        if (
            created is not None
            and prev is not None
            and [label for label, _, _ in changes] == [specialties_label]
            and rec.history_user_id == prev.history_user_id
            and (rec.history_date - prev.history_date).total_seconds() < 5
        ):
            # Many-to-many values are saved just after the row they belong to; show
            # them as part of the creation rather than as a second change.
            created.changes.extend(changes)
            continue
        user_obj = rec.history_user
        who = (user_obj.display_name or user_obj.username) if user_obj else "—"
        entry = HistoryEntry(
            when=rec.history_date,
            who=who,
            action=rec.history_type,
            subject=str(model._meta.verbose_name),
            object_label=str(getattr(rec, "name", "")),
            changes=changes,
            reason=rec.history_change_reason or "",
        )
        entries.append(entry)
        created_entries[rec.id] = entry if rec.history_type == "+" else None
    return entries


def _specialty_names(rec: Any, names: dict[str, dict]) -> list[str]:
    return sorted(
        names["forces.Specialty"].get(s.specialty_id, "?")
        for s in rec.historicalforce_specialties_set.all()
    )


def force_history(force: Force, user: Any, limit: int = 100) -> list[HistoryEntry]:
    """Who changed what and when, for a force and its people, equipment and materials
    (SPEC §2: every change is kept in history)."""
    names = {
        "core.Organisation": dict(Organisation.objects.values_list("pk", "name")),
        "core.Jurisdiction": dict(Jurisdiction.objects.values_list("pk", "name")),
        "forces.Specialty": dict(Specialty.objects.values_list("pk", "name")),
    }
    order = ("history_date", "history_id")
    entries = _entries_for(
        Force,
        list(
            force.history.select_related("history_user")
            .prefetch_related("historicalforce_specialties_set")
            .order_by(*order)
        ),
        user,
        force.organisation_id,
        names,
    )
    for model in (Personnel, Equipment, Material):
        records = list(
            model.history.filter(force_id=force.pk).select_related("history_user").order_by(*order)
        )
        entries += _entries_for(model, records, user, force.organisation_id, names)
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries[:limit]
