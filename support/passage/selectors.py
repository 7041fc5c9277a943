"""Reads of passage shared by the pages, the API, the incident page and the feed: every
list goes through ``visible_requests`` / ``visible_passes`` (constant queries)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from support.models import PassageRequest, VehiclePass
from support.passage.permissions import can_read_passage, reads_in_jurisdiction


def visible_requests(user: Any) -> QuerySet[PassageRequest]:
    """Requests of the user's jurisdiction and below; a department's editors: the ones
    addressed to their organisation."""
    base = PassageRequest.objects.select_related(
        "jurisdiction", "incident", "addressee", "requested_by", "answered_by"
    )
    if not can_read_passage(user):
        return base.none()
    if reads_in_jurisdiction(user):
        return base.visible_to(user)
    return base.filter(addressee_id=user.organisation_id)


def visible_passes(user: Any) -> QuerySet[VehiclePass]:
    """Passes of the user's jurisdiction and below; a department's editors: the passes of
    their own forces."""
    base = VehiclePass.objects.select_related(
        "jurisdiction", "incident", "force", "issued_by", "revoked_by"
    )
    if not can_read_passage(user):
        return base.none()
    if reads_in_jurisdiction(user):
        return base.visible_to(user)
    return base.filter(force__organisation_id=user.organisation_id)


def incident_passage(user: Any, incident: Any) -> dict[str, list]:
    """The incident page's passage section: its requests and passes the user reads."""
    return {
        "requests": list(
            visible_requests(user).filter(incident=incident).order_by("-requested_at", "-id")
        ),
        "passes": list(
            visible_passes(user).filter(incident=incident).order_by("-issued_at", "-id")
        ),
    }
