"""The top bar's warning links (templates/base.html): Warnings and Grids, for the roles
that may read them (core's context processor may not import this app)."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import NoReverseMatch, reverse

from core.roles import Role
from earlywarning import permissions

register = template.Library()

# DESIGN12: grid readers. earlywarning.grids.can_read_grids says it once merged.
GRID_READERS = (
    Role.DUTY_OFFICER,
    Role.FIRE_DISPATCHER,
    Role.BUREAU_APPROVER,
    Role.DEPARTMENT_EDITOR,
    Role.ADMINISTRATOR,
)


def _can_read_grids(user: Any) -> bool:
    try:
        from earlywarning.grids import can_read_grids
    except ImportError:  # the grids part is not merged yet
        return user.is_superuser or user.has_role(*GRID_READERS)
    return can_read_grids(user)


@register.simple_tag(takes_context=True)
def warning_nav(context: template.Context) -> dict[str, str]:
    """{"warnings": url or "", "grids": url or ""} for the signed-in user."""
    request = context.get("request")
    user = getattr(request, "user", None)
    links = {"warnings": "", "grids": ""}
    if user is None or not user.is_authenticated:
        return links
    if permissions.can_read_warnings(user) or user.has_role(Role.FORCE_ACCOUNT):
        links["warnings"] = reverse("earlywarning:warning_list")
    if _can_read_grids(user):
        try:
            links["grids"] = reverse("earlywarning:grid_list")
        except NoReverseMatch:
            pass
    return links
