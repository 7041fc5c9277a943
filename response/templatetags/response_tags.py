"""Graded response on other apps' pages, without their views knowing about it: the top
bar's link, the response section of the incident and warning pages, and the dashboard
prompt's button (core's context processor and the command and earlywarning views may not
import this app)."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from response import permissions
from response.choices import ActivationStatus
from response.models import ResponseActivation
from response.views.activations import may_command, may_open, may_work_instructions, with_counts

register = template.Library()

SHOWN_RESPONSES = 5


def _user(context: template.Context) -> Any:
    request = context.get("request")
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


@register.simple_tag(takes_context=True)
def response_nav(context: template.Context) -> str:
    """The top bar's 应急响应 link: the responses, for those who open them."""
    user = _user(context)
    if user is None or not may_open(user):
        return ""
    return reverse("response:activation_list")


def _section(user: Any, responses: list[ResponseActivation], can_start: bool, start_url: str):
    active = next((r for r in responses if r.status == ActivationStatus.ACTIVE), None)
    return {
        "responses": responses,
        "active": active,
        "start_url": start_url if can_start and active is None else "",
        "may_open_board": may_open(user),
        "instructions_url": reverse("response:department_instructions")
        if may_work_instructions(user)
        else "",
    }


@register.simple_tag(takes_context=True)
def incident_response(context: template.Context, incident: Any) -> dict[str, Any] | None:
    """The incident's responses (the active one first) with their progress, and the
    start button for who commands there while the incident is open."""
    user = _user(context)
    if user is None or incident is None:
        return None
    responses = list(
        with_counts(ResponseActivation.objects.filter(incident=incident)).order_by(
            "status", "-activated_at", "-id"
        )[:SHOWN_RESPONSES]
    )
    can_start = (
        incident.status == "open"
        and may_command(user)
        and permissions.can_command_response(user, incident.jurisdiction)
    )
    start_url = f"{reverse('response:activate')}?incident={incident.pk}"
    return _section(user, responses, can_start, start_url)


@register.simple_tag(takes_context=True)
def warning_response(context: template.Context, warning: Any) -> dict[str, Any] | None:
    """The same for a warning in force."""
    user = _user(context)
    if user is None or warning is None:
        return None
    responses = list(
        with_counts(ResponseActivation.objects.filter(warning=warning)).order_by(
            "status", "-activated_at", "-id"
        )[:SHOWN_RESPONSES]
    )
    can_start = (
        warning.status == "published"
        and may_command(user)
        and permissions.can_command_response(user, warning.jurisdiction)
    )
    start_url = f"{reverse('response:activate')}?warning={warning.pk}"
    return _section(user, responses, can_start, start_url)


@register.simple_tag(takes_context=True)
def response_start_url(context: template.Context, warning_id: int) -> str:
    """The dashboard prompt's button (考虑启动应急响应): the activate form of a warning,
    for who commands (the form checks the jurisdiction)."""
    user = _user(context)
    if user is None or not may_command(user):
        return ""
    return f"{reverse('response:activate')}?warning={warning_id}"
