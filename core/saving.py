"""What every service does to a model instance just before ``save()``: validate it with
``full_clean`` into the domain error the pages and the API map to 400, and stamp who
changed it and why on the simple-history record the save writes."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from core.exceptions import ValidationFailed


def validated(
    instance: models.Model,
    *,
    exclude: list[str] | None = None,
    validate_constraints: bool = True,
) -> None:
    """``full_clean`` the instance; a ``ValidationError`` becomes ``ValidationFailed``
    with the per-field messages."""
    try:
        instance.full_clean(exclude=exclude, validate_constraints=validate_constraints)
    except ValidationError as exc:
        raise ValidationFailed(
            "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items()),
            errors=exc.message_dict,
        ) from exc


def stamp_history(instance: models.Model, actor: Any, reason: str) -> None:
    """The user and change reason of the history row the next ``save()`` writes; an
    anonymous or missing actor (tasks, the demo builder) is recorded as nobody."""
    instance._history_user = actor if actor is not None and actor.is_authenticated else None  # type: ignore[attr-defined]
    instance._change_reason = reason  # type: ignore[attr-defined]
