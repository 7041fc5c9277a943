"""Model fields shared by every app."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.validators import EXTERNAL_ID_MAX_LENGTH, validate_external_id


def external_id_field() -> models.CharField:
    """``<source>:<id>`` of the record in another system (the provincial platform);
    empty when the record is only ours. Unique where not empty: ``unique_external_id``."""
    return models.CharField(
        _("external id"),
        max_length=EXTERNAL_ID_MAX_LENGTH,
        blank=True,
        default="",
        validators=[validate_external_id],
        help_text=_("<source>:<id> in the provincial system; empty if none."),
    )


def unique_external_id(model_name: str) -> models.UniqueConstraint:
    """The DB constraint that makes a non-empty external id name one record."""
    return models.UniqueConstraint(
        fields=["external_id"],
        condition=~models.Q(external_id=""),
        name=f"{model_name}_unique_external_id",
    )
