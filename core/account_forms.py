"""Forms of the account administration pages. Field parsing only: who may do what, and
every rule, is in core.services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.forms import BootstrapFormMixin
from core.models import Jurisdiction, Organisation
from core.roles import Role, grantable_roles
from core.services import ORGANISATION_FIELDS


def organisations_for(actor: Any):
    return (
        Organisation.objects.visible_to(actor)
        .filter(is_active=True)
        .select_related("jurisdiction")
        .order_by("jurisdiction__path", "name")
    )


def jurisdictions_for(actor: Any):
    if actor.is_superuser:
        return Jurisdiction.objects.all()
    own = actor.jurisdiction
    if own is None:
        return Jurisdiction.objects.none()
    return Jurisdiction.objects.filter(path__startswith=own.path)


class OrganisationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Organisation) -> str:
        return f"{obj.jurisdiction} · {obj.name}"


def _role_choices(actor: Any) -> list[tuple[str, str]]:
    allowed = grantable_roles(actor)
    return [(value, label) for value, label in Role.choices if value in allowed]


class UserForm(BootstrapFormMixin, forms.Form):
    """Opening an account (with ``username`` and an optional password) or changing one."""

    username = forms.CharField(label=_("user name"), max_length=150)
    display_name = forms.CharField(label=pgettext_lazy("person", "name"), max_length=50)
    phone = forms.CharField(label=_("phone"), max_length=20, required=False)
    organisation = OrganisationChoiceField(
        label=_("organisation"), queryset=Organisation.objects.none()
    )
    roles = forms.MultipleChoiceField(
        label=_("roles"), required=False, widget=forms.CheckboxSelectMultiple
    )
    password = forms.CharField(
        label=_("temporary password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Leave empty to have one generated; it is shown once."),
    )

    def __init__(self, *args: Any, actor: Any, account: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations_for(actor)
        self.fields["roles"].choices = _role_choices(actor)
        if account is not None:
            del self.fields["username"]
            del self.fields["password"]
            if account.pk == actor.pk:
                # Own roles and organisation are changed by another administrator.
                self.fields["roles"].disabled = True
                self.fields["organisation"].disabled = True
                self.fields["organisation"].queryset = Organisation.objects.filter(
                    pk=account.organisation_id
                )


class ReasonForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )


class PasswordResetForm(BootstrapFormMixin, forms.Form):
    password = forms.CharField(
        label=_("temporary password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Leave empty to have one generated; it is shown once."),
    )


class OrganisationForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = Organisation
        fields = list(ORGANISATION_FIELDS)

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["jurisdiction"].queryset = jurisdictions_for(actor)

    def validate_unique(self) -> None:
        # The service checks uniqueness in its transaction and names the field.
        pass
