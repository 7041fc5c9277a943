"""The command hand-over form of the incident page (Liaocheng §三.一.3): one POST that
calls ``command.command_transfers.transfer_command``; the page shows the steps through
the partial templates/command/incident/_command.html."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.translation import gettext as _
from django.views import View

from command import command_transfers
from command.consultation_forms import CommandTransferForm
from command.models import Incident
from core import visibility, web
from core.exceptions import DomainError
from core.web import raise_for


class CommandTransferView(web.RoleRequiredMixin, View):
    def allowed(self, user: Any) -> bool:
        return visibility.can_read_incidents(user)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        incident = get_object_or_404(
            Incident.objects.visible_to(request.user).select_related("jurisdiction"), pk=pk
        )
        target = incident.get_absolute_url() + "#command"
        form = CommandTransferForm(request.POST, area=incident.jurisdiction)
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
            return HttpResponseRedirect(target)
        try:
            command_transfers.transfer_command(
                actor=request.user, incident_id=incident.pk, **form.cleaned_data
            )
            messages.success(request, _("Command handed over."))
        except DomainError as exc:
            raise_for(exc)
            messages.error(request, exc.detail)
        return HttpResponseRedirect(target)


urlpatterns = [
    path(
        "incidents/<int:pk>/command/",
        CommandTransferView.as_view(),
        name="incident_command_transfer",
    ),
]
