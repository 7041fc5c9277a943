"""The one-time link of an SMS (``/a/<token>``): a phone-sized page, no login, with the
subject's title and text and one button. The token is the only credential: it is random
(≥ 72 bits), only its hash is stored, it expires and serves once (notify.services).

What the page gives away: nothing without a live token. An unknown token, an expired one
and a used one each get a plain Chinese page without the subject; addresses that keep
guessing are refused for a while. The page is never cached and never sends a Referer."""

from __future__ import annotations

import re

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from core.audit import client_address
from core.exceptions import DomainError
from notify import registry, selectors, services
from notify.choices import Channel, InboundCode
from notify.messages import scrub, token_hash
from notify.models import Delivery

# Tokens are URL-safe base64; anything else is not one of ours and is not looked up.
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{8,64}")
# Unknown tokens from one address before it is refused, and for how long. Only misses
# count: many phones share a carrier's address, and a real link never misses.
MISSES_ALLOWED = 20
MISS_WINDOW_SECONDS = 15 * 60

# The outcomes of redeem_link that mean "this link is spent" (410).
GONE = frozenset({InboundCode.EXPIRED, InboundCode.ALREADY, InboundCode.CLOSED})


def _miss_key(request: HttpRequest) -> str:
    return f"notify:link-miss:{client_address(request) or 'unknown'}"


def _refused(request: HttpRequest) -> bool:
    return (cache.get(_miss_key(request)) or 0) >= MISSES_ALLOWED


def _count_miss(request: HttpRequest) -> None:
    key = _miss_key(request)
    if cache.add(key, 1, MISS_WINDOW_SECONDS):
        return
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, MISS_WINDOW_SECONDS)


def _page(request: HttpRequest, template: str, context: dict, status: int) -> HttpResponse:
    response = render(request, template, context, status=status)
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _message(request: HttpRequest, heading: str, text: str, status: int, ok=False) -> HttpResponse:
    return _page(
        request, "notify/link_message.html", {"heading": heading, "text": text, "ok": ok}, status
    )


def _unknown(request: HttpRequest) -> HttpResponse:
    _count_miss(request)
    return _message(
        request,
        _("This link is not valid"),
        _("Check that the whole link was opened, or answer by replying to the SMS."),
        404,
    )


def _too_many(request: HttpRequest) -> HttpResponse:
    return _message(
        request,
        _("Too many attempts"),
        _("Try again in a quarter of an hour, or answer by replying to the SMS."),
        429,
    )


def _gone(request: HttpRequest, text: str) -> HttpResponse:
    return _message(request, _("This link can no longer be used"), text, 410)


def _sent_with(token: str) -> Delivery | None:
    """The SMS this token was sent in (used or not, open or not), if it was ours."""
    return (
        Delivery.objects.filter(
            link_token_hash=token_hash(token), channel=Channel.SMS, notification__isnull=False
        )
        .select_related("notification")
        .first()
    )


def _why_spent(delivery: Delivery) -> str:
    """Why a link of ours that ``link_target`` no longer opens cannot be used. Only the
    holder of the real token learns this."""
    notification = delivery.notification
    if delivery.link_used_at is not None or notification.acknowledged_at is not None:
        return _("It has already been answered. Nothing more is needed.")
    if notification.closed_at is not None:
        return _("The matter is closed. Nothing more is needed.")
    return _("The link has expired. Answer by replying to the SMS, or call the duty room.")


@method_decorator(never_cache, name="dispatch")
# The token in the address is the credential: a cross-site form cannot post to a link it
# does not know, and phones' in-app browsers often drop the CSRF cookie.
@method_decorator(csrf_exempt, name="dispatch")
class LinkView(View):
    http_method_names = ["get", "post"]

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        if _refused(request):
            return _too_many(request)
        if not TOKEN_PATTERN.fullmatch(token):
            return _unknown(request)
        notification = selectors.link_target(token)
        if notification is None or notification.acknowledged_at is not None:
            # Answered by another path (a reply, a key, the page) counts as spent too.
            delivery = _sent_with(token)
            return _unknown(request) if delivery is None else _gone(request, _why_spent(delivery))
        handler = registry.handler_for(notification.purpose)
        context = {
            "notification": notification,
            # Shown without a login, like the SMS it came from: no ID number, ever.
            "title": scrub(notification.title),
            "body": scrub(notification.body),
            "verb": handler.verb if handler else "",
        }
        return _page(request, "notify/link.html", context, 200)

    def post(self, request: HttpRequest, token: str) -> HttpResponse:
        if _refused(request):
            return _too_many(request)
        if not TOKEN_PATTERN.fullmatch(token) or _sent_with(token) is None:
            return _unknown(request)
        try:
            outcome = services.redeem_link(token=token)
        except DomainError as exc:
            return _message(request, _("Not recorded"), exc.detail, 409)
        if outcome.ok:
            return _message(request, _("Recorded"), outcome.answer, 200, ok=True)
        if outcome.code in GONE:
            return _gone(request, outcome.answer)
        return _message(request, _("Not recorded"), outcome.answer, 409)
