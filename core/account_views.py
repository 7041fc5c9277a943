"""Account administration pages (/accounts/): an administrator keeps the accounts and
organisations of its jurisdiction and below; superusers keep all. Lists are scoped, an
object outside the jurisdiction is 404, and every write is one call of a service in
core.services that authorises, validates and records an event."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from core import services
from core.account_forms import (
    OrganisationForm,
    PasswordResetForm,
    ReasonForm,
    UserForm,
    organisations_for,
)
from core.audit import client_address
from core.choices import OrganisationKind
from core.exceptions import DomainError, NotFoundError, PermissionDeniedError
from core.masking import mask_phone
from core.models import Event, Organisation, User
from core.permissions import can_administer_accounts
from core.roles import Role

PAGE_SIZE = 25

AccountEvent = services.AccountEvent
EVENT_LABELS = {
    AccountEvent.CREATED: gettext_lazy("Account opened"),
    AccountEvent.UPDATED: gettext_lazy("Particulars changed"),
    AccountEvent.ROLES_CHANGED: gettext_lazy("Roles changed"),
    AccountEvent.DEACTIVATED: gettext_lazy("Deactivated"),
    AccountEvent.REACTIVATED: gettext_lazy("Reactivated"),
    AccountEvent.PASSWORD_RESET: gettext_lazy("Password reset"),
}


def administrator_required(view: Callable) -> Callable:
    """Anonymous users go to the login page; anyone but an administrator or a superuser
    gets 403. Which accounts and organisations: the services and ``visible_to``."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not can_administer_accounts(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return login_required(wrapped)


def _refused(request: HttpRequest, form: Any, exc: DomainError) -> int:
    """Show a service's refusal on the form; 404 for what the actor may not see."""
    if isinstance(exc, NotFoundError):
        raise Http404(exc.detail) from exc
    form.add_domain_error(exc)
    return 403 if isinstance(exc, PermissionDeniedError) else 200


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    return response


def _account(request: HttpRequest, pk: int) -> User:
    user = get_object_or_404(
        services.users_visible_to(request.user).select_related("organisation__jurisdiction"),
        pk=pk,
    )
    if user.is_superuser and not request.user.is_superuser:
        raise PermissionDenied(_("Platform operators' accounts are managed by operators."))
    return user


def _query(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


# --- accounts ------------------------------------------------------------------------


@administrator_required
def user_list(request: HttpRequest) -> HttpResponse:
    actor = request.user
    users = (
        services.users_visible_to(actor)
        .select_related("organisation__jurisdiction")
        .prefetch_related(Prefetch("groups"))
        .order_by("organisation__jurisdiction__path", "organisation__name", "username")
    )
    q = request.GET.get("q", "").strip()[:100]
    if q:
        users = users.filter(Q(username__icontains=q) | Q(display_name__icontains=q))
    organisations = organisations_for(actor)
    organisation = request.GET.get("organisation", "")
    if organisation.isdigit():
        users = users.filter(organisation_id=int(organisation))
    role = request.GET.get("role", "")
    if role in Role.values:
        users = users.filter(groups__name=role)
    active = request.GET.get("active", "")
    if active in ("1", "0"):
        users = users.filter(is_active=active == "1")
    page = Paginator(users, PAGE_SIZE).get_page(request.GET.get("page"))
    labels = dict(Role.choices)
    rows = [
        (
            user,
            mask_phone(user.phone),
            [labels[g.name] for g in user.groups.all() if g.name in labels],
        )
        for user in page
    ]
    context = {
        "page": page,
        "rows": rows,
        "query": _query(request),
        "q": q,
        "organisations": organisations,
        "organisation": organisation,
        "roles": Role.choices,
        "role": role,
        "active": active,
    }
    return render(request, "core/accounts/user_list.html", context)


@administrator_required
@require_http_methods(["GET", "POST"])
def user_create(request: HttpRequest) -> HttpResponse:
    actor = request.user
    form = UserForm(request.POST or None, actor=actor)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        password = data["password"] or services.generate_password()
        try:
            account = services.create_user_account(
                actor=actor,
                username=data["username"],
                organisation=data["organisation"],
                roles=data["roles"],
                display_name=data["display_name"],
                phone=data["phone"],
                password=password,
                ip_address=client_address(request),
            )
        except DomainError as exc:
            status = _refused(request, form, exc)
        else:
            if data["password"]:
                messages.success(request, _("Account opened."))
                return redirect("accounts:user_detail", account.pk)
            return _no_store(
                render(
                    request,
                    "core/accounts/password_shown.html",
                    {"account": account, "password": password},
                )
            )
    return render(request, "core/accounts/user_form.html", {"form": form}, status=status)


@administrator_required
@require_http_methods(["GET", "POST"])
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An account: its particulars and roles (editable), status, and what was done to it."""
    actor = request.user
    account = _account(request, pk)
    initial = {
        "display_name": account.display_name,
        "phone": account.phone,
        "organisation": account.organisation_id,
        "roles": sorted(account.role_names),
    }
    form = UserForm(request.POST or None, actor=actor, account=account, initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_user_account(
                actor=actor,
                user_id=account.pk,
                display_name=data["display_name"],
                phone=data["phone"],
                organisation_id=data["organisation"].pk,
                roles=data["roles"],
                ip_address=client_address(request),
            )
        except DomainError as exc:
            status = _refused(request, form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("accounts:user_detail", account.pk)
    events = [
        (event, EVENT_LABELS.get(event.type, event.type))
        for event in Event.objects.filter(subject_type="core.user", subject_id=str(account.pk))
        .select_related("actor")
        .order_by("-seq")[:20]
    ]
    context = {
        "account": account,
        "form": form,
        "events": events,
        "is_self": account.pk == actor.pk,
        "masked_phone": mask_phone(account.phone),
    }
    return render(request, "core/accounts/user_detail.html", context, status=status)


def _status_change(request: HttpRequest, pk: int, *, activate: bool) -> HttpResponse:
    account = _account(request, pk)
    form = ReasonForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        change = services.reactivate_user if activate else services.deactivate_user
        try:
            change(
                actor=request.user,
                user_id=account.pk,
                reason=form.cleaned_data["reason"],
                ip_address=client_address(request),
            )
        except DomainError as exc:
            status = _refused(request, form, exc)
        else:
            messages.success(
                request, _("Account reactivated.") if activate else _("Account deactivated.")
            )
            return redirect("accounts:user_detail", account.pk)
    context = {"account": account, "form": form, "activate": activate}
    return render(request, "core/accounts/user_status.html", context, status=status)


@administrator_required
@require_http_methods(["GET", "POST"])
def user_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    return _status_change(request, pk, activate=False)


@administrator_required
@require_http_methods(["GET", "POST"])
def user_reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    return _status_change(request, pk, activate=True)


@administrator_required
@require_http_methods(["GET", "POST"])
def user_password(request: HttpRequest, pk: int) -> HttpResponse:
    account = _account(request, pk)
    form = PasswordResetForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            password = services.reset_user_password(
                actor=request.user,
                user_id=account.pk,
                password=form.cleaned_data["password"] or None,
                ip_address=client_address(request),
            )
        except DomainError as exc:
            status = _refused(request, form, exc)
        else:
            return _no_store(
                render(
                    request,
                    "core/accounts/password_shown.html",
                    {"account": account, "password": password},
                )
            )
    context = {"account": account, "form": form}
    return render(request, "core/accounts/user_password.html", context, status=status)


# --- organisations -------------------------------------------------------------------


@administrator_required
def organisation_list(request: HttpRequest) -> HttpResponse:
    organisations = Organisation.objects.visible_to(request.user).select_related("jurisdiction")
    q = request.GET.get("q", "").strip()[:100]
    if q:
        organisations = organisations.filter(
            Q(name__icontains=q) | Q(short_name__icontains=q) | Q(uscc__iexact=q)
        )
    kind = request.GET.get("kind", "")
    if kind in OrganisationKind.values:
        organisations = organisations.filter(kind=kind)
    page = Paginator(organisations, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "query": _query(request),
        "q": q,
        "kinds": OrganisationKind.choices,
        "kind": kind,
    }
    return render(request, "core/accounts/organisation_list.html", context)


@administrator_required
@require_http_methods(["GET", "POST"])
def organisation_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    actor = request.user
    organisation = None
    if pk is not None:
        organisation = get_object_or_404(Organisation.objects.visible_to(actor), pk=pk)
    form = OrganisationForm(request.POST or None, instance=organisation, actor=actor)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            if organisation is None:
                services.create_organisation(
                    actor=actor, ip_address=client_address(request), **data
                )
                messages.success(request, _("Organisation registered."))
            else:
                services.update_organisation(
                    actor=actor,
                    organisation_id=organisation.pk,
                    data=data,
                    ip_address=client_address(request),
                )
                messages.success(request, _("Changes saved."))
        except DomainError as exc:
            status = _refused(request, form, exc)
        else:
            return redirect("accounts:organisation_list")
    context = {"form": form, "organisation": organisation}
    return render(request, "core/accounts/organisation_form.html", context, status=status)
