"""View mixins and decorators: the role check every page makes before anything else."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from core.permissions import can_read_registry


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
