"""The subscriber form of the sync pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import BootstrapFormMixin
from sync import services


class SubscriberForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    url = forms.URLField(label=_("Endpoint URL"), max_length=500, assume_scheme="https")
    jurisdiction = forms.ModelChoiceField(label=_("Jurisdiction"), queryset=None)
    client = forms.ModelChoiceField(
        label=_("Sync client account"),
        queryset=None,
        help_text=_("The subscriber receives what this account may see."),
    )
    kinds = forms.CharField(
        label=_("Subject kinds"),
        required=False,
        max_length=500,
        help_text=_("Comma-separated (incident, force …); empty sends every kind."),
    )
    secret = forms.CharField(
        label=_("Signing secret"),
        required=False,
        min_length=services.SECRET_MIN,
        max_length=services.SECRET_MAX,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Leave empty to have the platform generate one (shown once)."),
    )
    cursor = forms.IntegerField(
        label=_("Start after seq"),
        required=False,
        min_value=0,
        help_text=_("Empty: only what happens from now on; 0: the whole history."),
    )

    def __init__(self, *args, actor, subscriber=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["jurisdiction"].queryset = services.jurisdictions_for(actor)
        self.fields["client"].queryset = services.clients_for(actor)
        self.fields["client"].label_from_instance = lambda u: (
            f"{u.display_name} ({u.username})" if u.display_name else u.username
        )
        if subscriber is not None:
            del self.fields["jurisdiction"]
            del self.fields["cursor"]
            self.fields["secret"].help_text = _("Leave empty to keep the current secret.")

    def clean_kinds(self) -> list[str]:
        raw = self.cleaned_data.get("kinds") or ""
        return [k.strip() for k in raw.replace("，", ",").split(",") if k.strip()]

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        if "jurisdiction" in data:
            data["jurisdiction"] = data["jurisdiction"].code
        data["client"] = data["client"].pk
        if not data.get("secret"):
            data.pop("secret", None)
        if data.get("cursor") is None:
            data.pop("cursor", None)
        return data
