"""Reads of requisitions, scoped to the reader (``permissions``)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from support.models import Requisition
from support.permissions import active
from support.requisition.permissions import (
    JURISDICTION_READERS,
    OWN_ORGANISATION_READERS,
    opens_requisitions,
)

__all__ = ["requisitions_of_incident", "visible_requisitions"]


def visible_requisitions(user: Any) -> QuerySet[Requisition]:
    """The requisitions the user reads: of their jurisdiction and below (bureau, fire
    brigade, sync client), or of their own unit (owner editors)."""
    qs = Requisition.objects.select_related(
        "jurisdiction", "incident", "owner_organisation", "requested_by", "equipment"
    )
    if not active(user) or not opens_requisitions(user):
        return qs.none()
    if user.is_superuser:
        return qs
    condition = Q(pk__in=[])
    if user.has_role(*JURISDICTION_READERS) and user.jurisdiction is not None:
        condition |= Q(jurisdiction__path__startswith=user.jurisdiction.path)
    if user.has_role(*OWN_ORGANISATION_READERS) and user.organisation_id is not None:
        condition |= Q(owner_organisation_id=user.organisation_id)
    return qs.filter(condition)


def requisitions_of_incident(user: Any, incident_id: int) -> list[Requisition]:
    return list(visible_requisitions(user).filter(incident_id=incident_id))
