"""The passage section of the incident page, without command's views knowing about it:
the incident's traffic-control requests and vehicle passes the user reads, and the
"request passage" / "issue a pass" buttons for the bureau and the fire brigade."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils import timezone

from support.passage import selectors
from support.passage.permissions import can_read_passage, may_request_passage

register = template.Library()


@register.simple_tag(takes_context=True)
def incident_passage(context: template.Context, incident: Any) -> dict[str, Any] | None:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or incident is None:
        return None
    if not can_read_passage(user):
        return None
    found = selectors.incident_passage(user, incident)
    may_act = incident.status == "open" and may_request_passage(user, incident.jurisdiction)
    return {
        **found,
        "now": timezone.now(),
        "request_url": (
            f"{reverse('support:passage_request_create')}?incident={incident.pk}" if may_act else ""
        ),
        "pass_url": f"{reverse('support:pass_create')}?incident={incident.pk}" if may_act else "",
    }
