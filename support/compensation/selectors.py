"""Reads of compensation claims, scoped to the reader (``permissions``)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from support.compensation.permissions import (
    JURISDICTION_READERS,
    OWN_ORGANISATION_READERS,
    opens_claims,
)
from support.models import CompensationClaim

__all__ = ["visible_claims"]


def visible_claims(user: Any) -> QuerySet[CompensationClaim]:
    qs = CompensationClaim.objects.select_related(
        "jurisdiction",
        "incident",
        "force__organisation",
        "requisition__owner_organisation",
        "reviewing_department",
    )
    if not opens_claims(user):
        return qs.none()
    if user.is_superuser:
        return qs
    condition = Q(pk__in=[])
    if user.has_role(*JURISDICTION_READERS) and user.jurisdiction is not None:
        condition |= Q(jurisdiction__path__startswith=user.jurisdiction.path)
    if user.has_role(*OWN_ORGANISATION_READERS) and user.organisation_id is not None:
        org = user.organisation_id
        condition |= (
            Q(force__organisation_id=org)
            | Q(requisition__owner_organisation_id=org)
            | Q(reviewing_department_id=org)
        )
    return qs.filter(condition)
