"""The requisition section of the incident page (command's views may not import support):
the incident's requisitions with their status, and the 征用 button for the bureau and the
fire brigade of the incident's jurisdiction while it is open."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from command.choices import IncidentStatus
from support.requisition import permissions, selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def incident_requisitions(context: template.Context, incident: Any) -> dict[str, Any] | None:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or incident is None:
        return None
    if not permissions.opens_requisitions(user):
        return None
    may_request = incident.status == IncidentStatus.OPEN and permissions.can_request(
        user, incident.jurisdiction
    )
    return {
        "requisitions": selectors.requisitions_of_incident(user, incident.pk),
        "create_url": f"{reverse('support:requisition_create')}?incident={incident.pk}"
        if may_request
        else "",
    }
