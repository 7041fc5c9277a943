"""Allocations on the incident page, without command's views knowing about this app:
the incident's requests with their status, and the "request materials" button for who
may request there."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from support.allocation import permissions, selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def incident_allocations(context: template.Context, incident: Any) -> dict[str, Any] | None:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or incident is None:
        return None
    may_request = permissions.can_request(user, incident.jurisdiction)
    if not (permissions.can_read_allocations(user) or may_request):
        return None
    return {
        "allocations": selectors.incident_allocations(user, incident.pk),
        "request_url": f"{reverse('support:allocation_create')}?incident={incident.pk}"
        if may_request
        else "",
        "list_url": f"{reverse('support:allocation_list')}?incident={incident.pk}",
    }
