"""What the incident page's command partial reads (templates/command/incident/_command.html):
the hand-over steps, the form, and the incident's meetings, without touching the view."""

from __future__ import annotations

from typing import Any

from django import template

from command import command_transfers, consultations
from command.consultation_forms import CommandTransferForm

register = template.Library()


@register.simple_tag(takes_context=True)
def command_panel(context: Any, incident: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    may = command_transfers.can_transfer_command(user, incident)
    return {
        "steps": command_transfers.transfers_of(incident),
        "can_transfer": may,
        "form": CommandTransferForm(area=incident.jurisdiction) if may else None,
        "consultations": list(consultations.consultations_for(user).filter(incident=incident))
        if user is not None
        else [],
        "can_consult": consultations.can_record_consultations(user),
    }
