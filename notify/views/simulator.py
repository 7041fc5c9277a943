"""The simulator's outbox: while no SMS or voice gateway is configured, every message the
platform would have sent lands here, and the operators of the jurisdiction can answer it
the way the phone would — the reply goes through the same service as a gateway's
callback, so what the simulator shows is what a real phone gets."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from core.exceptions import DomainError
from core.web import raise_for
from notify import permissions, selectors, services
from notify.choices import PHONE_CHANNELS, Channel
from notify.forms import ReplyForm
from notify.models import Delivery, InboundMessage
from notify.types import InboundOutcome
from notify.views.base import OperatorView, paged

INBOUND_SHOWN = 20


def visible_messages(user: Any):
    """The simulated messages of the user's jurisdiction (superusers: all, including the
    answers to numbers the platform does not know)."""
    return selectors.simulator_outbox(user).filter(channel__in=permissions.simulated_channels())


def replies(user: Any):
    """Replies and key presses of the jurisdiction, and the unmatched ones from the
    numbers it sent to (a reply that matches nothing belongs to no notification, but the
    operator who typed it must see what the phone was told)."""
    if not permissions.can_manage_notifications(user):
        return InboundMessage.objects.none()
    mine = selectors.inbound_for(user)
    if user.is_superuser:
        return mine
    phones = Delivery.objects.visible_to(user).filter(channel__in=PHONE_CHANNELS)
    unmatched = InboundMessage.objects.filter(
        notification__isnull=True, phone__in=phones.values("address")
    )
    return (mine | unmatched).order_by("-received_at", "-pk")


@dataclass(frozen=True)
class OutboxRow:
    message: Any
    delivery: Any  # None for a message no delivery of this jurisdiction explains
    to: str  # masked unless the user may see it


class SimulatorBase(OperatorView):
    """With a real gateway configured the simulator does not exist (404): nobody may fake
    a phone's reply to a live system."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not permissions.simulated_channels():
            raise Http404
        return super().dispatch(request, *args, **kwargs)


class SimulatorView(SimulatorBase, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        page, query = paged(
            request,
            visible_messages(user).select_related("delivery__notification"),
        )
        rows = []
        for message in page:
            delivery = message.delivery
            organisation_id = (
                delivery.notification.organisation_id
                if delivery and delivery.notification
                else None
            )
            rows.append(
                OutboxRow(
                    message=message,
                    delivery=delivery if delivery and delivery.notification else None,
                    to=permissions.shown_address(user, message.to, organisation_id),
                )
            )
        inbound = [
            (reply, permissions.shown_address(user, reply.phone, _organisation_of(reply)))
            for reply in replies(user).select_related("notification")[:INBOUND_SHOWN]
        ]
        return render(
            request,
            "notify/simulator.html",
            {
                "page": page,
                "query": query,
                "rows": rows,
                "inbound": inbound,
                "reply_form": ReplyForm(),
                "channels": permissions.simulated_channels(),
            },
        )


def _organisation_of(reply: Any) -> int | None:
    return reply.notification.organisation_id if reply.notification_id else None


def _show_outcome(request: HttpRequest, outcome: InboundOutcome) -> None:
    text = _("The phone would receive: %(answer)s") % {"answer": outcome.answer}
    if outcome.ok:
        messages.success(request, text)
    else:
        messages.warning(request, text)


def _back(message: Any) -> HttpResponseRedirect:
    return HttpResponseRedirect(f"{reverse('notify:simulator')}#message-{message.pk}")


class SimulatorReplyView(SimulatorBase, View):
    """Type the SMS the phone would send back: ``receive_reply``, as the gateway's
    callback calls it."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        message = get_object_or_404(
            visible_messages(request.user).filter(channel=Channel.SMS), pk=pk
        )
        form = ReplyForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Type the reply the phone would send."))
            return _back(message)
        try:
            outcome = services.receive_reply(
                phone=message.to,
                body=form.cleaned_data["body"],
                channel=Channel.SMS,
                backend=permissions.SIMULATOR,
            )
        except DomainError as exc:
            raise_for(exc)
            messages.error(request, exc.detail)
            return _back(message)
        _show_outcome(request, outcome)
        return _back(message)


class SimulatorKeypressView(SimulatorBase, View):
    """Press 1 during the voice call: ``receive_keypress``, as the gateway's callback
    calls it."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        message = get_object_or_404(
            visible_messages(request.user).filter(channel=Channel.VOICE), pk=pk
        )
        try:
            outcome = services.receive_keypress(key=message.key, digit="1")
        except DomainError as exc:
            raise_for(exc)
            messages.error(request, exc.detail)
            return _back(message)
        _show_outcome(request, outcome)
        return _back(message)
