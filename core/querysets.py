"""Jurisdiction scoping: the one mechanism every list goes through (SPEC §1)."""

from __future__ import annotations

from typing import Any

from django.db import models


class ScopedQuerySet(models.QuerySet):
    """``visible_to(user)``: rows in the user's jurisdiction and below.

    A model names the path to its jurisdiction with ``jurisdiction_lookup``
    (default ``"jurisdiction"``); Personnel uses ``"force__jurisdiction"``.
    """

    def visible_to(self, user: Any) -> ScopedQuerySet:
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.is_superuser:
            return self.all()
        jurisdiction = user.jurisdiction
        if jurisdiction is None:
            return self.none()
        lookup = getattr(self.model, "jurisdiction_lookup", "jurisdiction")
        return self.filter(**{f"{lookup}__path__startswith": jurisdiction.path})
