"""View mixins: the role check every registry page makes before anything else."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied

from core.permissions import can_read_registry


class RegistryReaderRequiredMixin(LoginRequiredMixin):
    """Anonymous → login page; a role that may not read the registry → 403."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not can_read_registry(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)
