"""The glue every page shares (STYLE.md: core/web.py): the one domain-error → 403/404
mapping for pages, the role checks every page makes before anything else, and the live
feed's starting point for a page."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Max
from django.http import Http404, HttpRequest, HttpResponse

from core.exceptions import DomainError, NotFoundError, PermissionDeniedError
from core.models import Event
from core.permissions import can_read_registry


def raise_for(exc: DomainError) -> None:
    """A service's refusal as a page answers it: outside the user's jurisdiction → 404,
    the wrong role or person → 403. Other domain errors (400, 409) are the caller's to
    show on the form, so this returns for them."""
    if isinstance(exc, NotFoundError):
        raise Http404(exc.detail) from exc
    if isinstance(exc, PermissionDeniedError):
        raise PermissionDenied(exc.detail) from exc


class RoleRequiredMixin(LoginRequiredMixin):
    """Anonymous → login page; an authenticated user for whom ``allowed`` says no → 403.
    Subclasses (or an app's base view) define ``allowed`` with their app's permission
    predicate."""

    def allowed(self, user: Any) -> bool:
        # Fail closed: a view that names no permission predicate admits nobody.
        return False

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not self.allowed(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


def latest_seq(user: Any) -> int:
    """The newest event this user may see: a page rendered with it lets its live feed
    resume from exactly what the page showed."""
    return Event.objects.visible_to(user).aggregate(m=Max("seq"))["m"] or 0


class RegistryReaderRequiredMixin(LoginRequiredMixin):
    """Anonymous → login page; a role that may not read the registry → 403."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not can_read_registry(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


def require_roles(roles: Iterable[str]) -> Callable:
    """Function views: anonymous users go to the login page; the wrong role gets 403.
    Jurisdiction and object checks stay with the view (``visible_to``, services)."""
    allowed = tuple(roles)

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            if not (user.is_superuser or user.has_role(*allowed)):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return login_required(wrapped)

    return decorator
