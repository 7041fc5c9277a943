"""The simulator's forms: what a phone would send back."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

# One SMS segment of Chinese text; a longer reply is no answer anyone types on a phone.
REPLY_MAX_LENGTH = 70


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Reply"),
        max_length=REPLY_MAX_LENGTH,
        strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": "1"}),
    )
