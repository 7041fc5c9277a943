"""Form helpers shared by every app's pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import MaxValueValidator

from core.bounds import MAX_INT, validate_year_window
from core.exceptions import DomainError


def _is_integer(field: forms.Field) -> bool:
    # FloatField and DecimalField are IntegerField subclasses in Django.
    return isinstance(field, forms.IntegerField) and not isinstance(
        field, forms.FloatField | forms.DecimalField
    )


class BootstrapFormMixin:
    """Gives every widget its Bootstrap class so templates render fields uniformly."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        for field in self.fields.values():  # type: ignore[attr-defined]
            if isinstance(field, forms.DateField | forms.DateTimeField):
                field.validators.append(validate_year_window)
            elif _is_integer(field) and (field.max_value is None or field.max_value > MAX_INT):
                # What an integer column holds on every database (SQLite's is wider).
                field.max_value = MAX_INT
                field.validators.append(MaxValueValidator(MAX_INT))
            widget = field.widget
            if isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
                continue
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")

    def add_domain_error(self, exc: DomainError) -> None:
        """Show a service's refusal on the form: per field where it names fields."""
        fields = self.fields  # type: ignore[attr-defined]
        if isinstance(exc.errors, dict):
            for name, messages in exc.errors.items():
                target = name if name in fields else None
                for message in messages if isinstance(messages, list) else [messages]:
                    self.add_error(target, message)  # type: ignore[attr-defined]
        else:
            self.add_error(None, exc.detail)  # type: ignore[attr-defined]
