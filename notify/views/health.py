"""The notifications admin page of a jurisdiction: are the gateways answering, what waits
for a retry and when, what failed for good — and "retry now"."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from core.exceptions import DomainError
from core.web import raise_for
from notify import permissions, selectors, services
from notify.backends import backend_path
from notify.choices import Channel, DeliveryStatus
from notify.models import Delivery
from notify.views.base import OperatorView

ROWS_SHOWN = 50


@dataclass(frozen=True)
class DeliveryRow:
    delivery: Any
    address: str  # masked unless the user may see it
    error: str  # the last error, numbers in it masked likewise


@dataclass(frozen=True)
class GatewayRow:
    status: Any
    error: str


def _rows(user: Any, deliveries) -> list[DeliveryRow]:
    rows = []
    for d in deliveries:
        organisation_id = d.notification.organisation_id if d.notification else None
        rows.append(
            DeliveryRow(
                delivery=d,
                address=permissions.shown_address(user, d.address, organisation_id),
                error=permissions.shown_text(user, d.last_error, organisation_id),
            )
        )
    return rows


class HealthView(OperatorView, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        health = selectors.gateway_health(user, recent=ROWS_SHOWN)
        simulated = permissions.simulated_channels()
        backends = [
            (channel.label, backend_path(channel), channel in simulated)
            for channel in (Channel.SMS, Channel.VOICE, Channel.EMAIL)
        ]
        return render(
            request,
            "notify/health.html",
            {
                "counts": [
                    (status.label, health.by_status.get(status.value, 0))
                    for status in DeliveryStatus
                ],
                "gateways": [
                    GatewayRow(status=g, error=permissions.shown_text(user, g.last_error))
                    for g in health.statuses
                ],
                "backends": backends,
                "simulated": simulated,
                "queued_total": health.queued,
                "retrying_total": len(health.retrying),
                "retrying": _rows(user, health.retrying),
                "failed_total": health.failed_total,
                "failed": _rows(user, health.failed),
                "max_attempts": getattr(settings, "NOTIFY_MAX_ATTEMPTS", 8),
            },
        )


class RetryView(OperatorView, View):
    """Retry now: the delivery goes back to the front of the queue and is sent after
    commit; the service checks the state (a delivered message is not sent twice)."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        delivery = get_object_or_404(Delivery.objects.visible_to(request.user), pk=pk)
        try:
            services.retry_delivery(actor=request.user, delivery_id=delivery.pk)
            messages.success(request, _("The message is queued to be sent again now."))
        except DomainError as exc:
            raise_for(exc)
            messages.error(request, exc.detail)
        return HttpResponseRedirect(reverse("notify:health"))
