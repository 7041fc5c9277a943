"""Sync pages under /sync/: the push subscribers of the jurisdiction with their cursor,
lag and last error (administrators keep them; a sync client sees its own)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.audit import client_address
from core.exceptions import DomainError, ValidationFailed
from core.web import raise_for
from sync import services
from sync.forms import SubscriberForm
from sync.status import LAG_BOUND, lag_of

ACTIONS = {
    "pause": services.pause_subscriber,
    "resume": services.resume_subscriber,
    "retry": services.retry_now,
}


def _manager(request: HttpRequest) -> None:
    if not services.can_manage_subscribers(request.user):
        raise PermissionDenied


@login_required
def subscriber_list(request: HttpRequest) -> HttpResponse:
    if not services.can_read_subscribers(request.user):
        raise PermissionDenied
    rows = [
        {"subscriber": s, "lag": lag_of(s)}
        for s in services.subscribers_visible_to(request.user).order_by(
            "jurisdiction__path", "name"
        )
    ]
    return render(
        request,
        "sync/subscriber_list.html",
        {
            "rows": rows,
            "can_manage": services.can_manage_subscribers(request.user),
            "lag_bound": LAG_BOUND,
        },
    )


def _apply_errors(form: SubscriberForm, exc: ValidationFailed) -> None:
    for field, problems in (exc.errors or {}).items():
        for problem in problems:
            form.add_error(field if field in form.fields else None, str(problem))
    if not exc.errors:
        form.add_error(None, exc.detail)


@login_required
@require_http_methods(["GET", "POST"])
def subscriber_create(request: HttpRequest) -> HttpResponse:
    _manager(request)
    form = SubscriberForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            issued = services.create_subscriber(
                actor=request.user, data=form.service_data(), ip_address=client_address(request)
            )
        except ValidationFailed as exc:
            _apply_errors(form, exc)
        except DomainError as exc:
            raise_for(exc)
            raise
        else:
            return render(
                request,
                "sync/secret_shown.html",
                {"subscriber": issued.subscriber, "secret": issued.secret},
            )
    return render(request, "sync/subscriber_form.html", {"form": form, "subscriber": None})


@login_required
@require_http_methods(["GET", "POST"])
def subscriber_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _manager(request)
    subscriber = services.subscribers_visible_to(request.user).filter(pk=pk).first()
    if subscriber is None:
        raise Http404
    initial = {
        "name": subscriber.name,
        "url": subscriber.url,
        "client": subscriber.client_id,
        "kinds": ", ".join(subscriber.kinds),
    }
    form = SubscriberForm(
        request.POST or None, actor=request.user, subscriber=subscriber, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_subscriber(
                actor=request.user,
                subscriber_id=subscriber.pk,
                data=form.service_data(),
                ip_address=client_address(request),
            )
        except ValidationFailed as exc:
            _apply_errors(form, exc)
        except DomainError as exc:
            raise_for(exc)
            raise
        else:
            messages.success(request, _("The subscriber was saved."))
            return redirect("sync:subscriber_list")
    return render(request, "sync/subscriber_form.html", {"form": form, "subscriber": subscriber})


@login_required
@require_POST
def subscriber_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    _manager(request)
    service = ACTIONS.get(action)
    if service is None:
        raise Http404
    try:
        service(actor=request.user, subscriber_id=pk, ip_address=client_address(request))
    except DomainError as exc:
        raise_for(exc)
        raise
    return redirect("sync:subscriber_list")
