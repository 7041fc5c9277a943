"""The top bar's 保障 menu (templates/base.html): each part's index for the roles its own
list page lets in (the same predicates the views ask), so a link never leads to a 403."""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from support.allocation.permissions import can_read_allocations
from support.compensation.permissions import opens_claims
from support.passage.permissions import can_read_passage
from support.requisition.permissions import opens_requisitions
from support.reserves.permissions import can_read_reserves
from support.shelters.permissions import reads_shelters
from support.welfare.permissions import reads_welfare

register = template.Library()

# (id, label, url name, who opens it), in the menu's order.
_LINKS = (
    ("nav-reserves", _("Material reserves"), "support:warehouse_list", can_read_reserves),
    ("nav-allocations", _("Material allocation"), "support:allocation_list", can_read_allocations),
    ("nav-requisitions", _("Requisitions"), "support:requisition_list", opens_requisitions),
    ("nav-passage", _("Passage"), "support:passage_list", can_read_passage),
    ("nav-welfare", _("Rescuer welfare"), "support:welfare_index", reads_welfare),
    ("nav-compensation", _("Compensation"), "support:compensation_list", opens_claims),
    ("nav-shelters", _("Shelters"), "support:shelter_list", reads_shelters),
)


@register.simple_tag(takes_context=True)
def support_nav(context: template.Context) -> list[dict[str, str]]:
    """[{"id", "label", "url"}] of the support pages the signed-in user may open."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    return [
        {"id": link_id, "label": str(label), "url": reverse(name)}
        for link_id, label, name, opens in _LINKS
        if opens(user)
    ]
