"""My notifications: the bell in every page's navigation bar and the notifications page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core.web import RoleRequiredMixin
from notify import permissions, selectors, services
from notify.views.base import paged


@never_cache
@require_GET
def bell(request: HttpRequest) -> HttpResponse:
    """The bell's refresh (htmx). Signed out → 204, which htmx leaves alone: a redirect
    to the login page would be swapped into the navigation bar."""
    if not permissions.may_read_inbox(request.user):
        return HttpResponse(status=204)
    return render(
        request, "notify/_bell.html", {"notify_unread": selectors.unread_count(request.user)}
    )


class InboxView(RoleRequiredMixin, View):
    """The user's in-app notifications, newest first, unread ones marked."""

    def allowed(self, user: Any) -> bool:
        return permissions.may_read_inbox(user)

    def get(self, request: HttpRequest) -> HttpResponse:
        page, query = paged(request, selectors.inbox(request.user))
        return render(
            request,
            "notify/list.html",
            {
                "page": page,
                "query": query,
                "unread": selectors.unread_count(request.user),
            },
        )


def _subject_url(request: HttpRequest, link: str) -> str:
    """The subject's page, if the stored link is one of ours (a path on this host)."""
    if (
        link
        and link.startswith("/")
        and url_has_allowed_host_and_scheme(
            link, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return link
    return reverse("notify:list")


class OpenView(RoleRequiredMixin, View):
    """Opening a notification marks it read and goes to its subject's page (where the
    subject's own rules decide what the user may see and do)."""

    def allowed(self, user: Any) -> bool:
        return permissions.may_read_inbox(user)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        delivery = get_object_or_404(selectors.inbox(request.user), pk=pk)
        services.mark_read(actor=request.user, delivery_ids=[delivery.pk])
        return HttpResponseRedirect(_subject_url(request, delivery.notification.link))


class MarkAllReadView(RoleRequiredMixin, View):
    def allowed(self, user: Any) -> bool:
        return permissions.may_read_inbox(user)

    def post(self, request: HttpRequest) -> HttpResponse:
        services.mark_read(actor=request.user)
        return HttpResponseRedirect(reverse("notify:list"))
