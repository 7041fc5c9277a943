"""Form helpers shared by every app's pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import MaxValueValidator
from django.db.models import Q

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


class AuditFilterForm(forms.Form):
    """Filters of the audit page: event type, user name, a range of days (Beijing time)."""

    type = forms.ChoiceField(required=False)
    username = forms.CharField(required=False, max_length=150)
    date_from = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from django.utils.translation import gettext_lazy as _

        from core.events import ADMINISTRATIVE_LABELS, SecurityEvent

        super().__init__(*args, **kwargs)
        self.fields["type"].label = _("type")
        self.fields["username"].label = _("user")
        self.fields["date_from"].label = _("from")
        self.fields["date_to"].label = _("to")
        self.fields["type"].choices = [
            ("", _("Any type")),
            *SecurityEvent.choices,
            *ADMINISTRATIVE_LABELS.items(),
        ]
        for name, field in self.fields.items():
            field.widget.attrs["class"] = (
                "form-select form-select-sm" if name == "type" else "form-control form-control-sm"
            )

    def filter_events(self, qs):
        if not self.is_valid():
            return qs
        data = self.cleaned_data
        if data["type"]:
            qs = qs.filter(type=data["type"])
        if data["username"]:
            name = data["username"]
            qs = qs.filter(Q(actor__username=name) | Q(payload__username=name))
        if data["date_from"]:
            qs = qs.filter(created_at__date__gte=data["date_from"])
        if data["date_to"]:
            qs = qs.filter(created_at__date__lte=data["date_to"])
        return qs

    def filter_reveals(self, qs):
        if not self.is_valid():
            return qs
        data = self.cleaned_data
        if data["username"]:
            qs = qs.filter(user__username=data["username"])
        if data["date_from"]:
            qs = qs.filter(accessed_at__date__gte=data["date_from"])
        if data["date_to"]:
            qs = qs.filter(accessed_at__date__lte=data["date_to"])
        return qs
