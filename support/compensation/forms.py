"""Forms of the compensation pages; the services check everything again."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from command.models import Incident
from core.forms import BootstrapFormMixin
from forces.models import Force
from support.choices import CostCategory, LiabilityBasis


class ClaimForm(BootstrapFormMixin, forms.Form):
    force = forms.ModelChoiceField(label=_("force"), queryset=Force.objects.none())
    incident = forms.ModelChoiceField(label=_("incident"), queryset=Incident.objects.none())
    basis = forms.ChoiceField(label=_("basis"), choices=LiabilityBasis.choices)
    liable_party = forms.CharField(label=_("liable party"), max_length=150, required=False)
    summary = forms.CharField(label=_("what was done"), widget=forms.Textarea(attrs={"rows": 3}))
    bank_account_name = forms.CharField(label=_("account name"), max_length=150, required=False)
    bank_account = forms.CharField(label=_("bank account"), max_length=40, required=False)

    def __init__(self, *args: Any, user=None, forces=None, for_requisition=False, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if for_requisition or forces is None:
            del self.fields["force"]
            del self.fields["incident"]
        else:
            self.fields["force"].queryset = forces
            self.fields["incident"].queryset = (
                Incident.objects.visible_to(user).order_by("-id")
                if user is not None
                else Incident.objects.none()
            )


class CostForm(BootstrapFormMixin, forms.Form):
    category = forms.ChoiceField(label=_("category"), choices=CostCategory.choices)
    description = forms.CharField(label=_("description"), max_length=200)
    amount = forms.DecimalField(
        label=_("amount (yuan)"), max_digits=12, decimal_places=2, min_value=Decimal("0.01")
    )


CostFormSet = forms.formset_factory(CostForm, extra=3, max_num=100, can_delete=True)


class AttachmentForm(BootstrapFormMixin, forms.Form):
    file = forms.FileField(label=_("file"))
    name = forms.CharField(label=_("name"), max_length=150, required=False)


class ReviewForm(BootstrapFormMixin, forms.Form):
    opinion = forms.CharField(label=_("review opinion"), widget=forms.Textarea(attrs={"rows": 2}))


class ApproveForm(BootstrapFormMixin, forms.Form):
    amount = forms.DecimalField(
        label=_("amount approved"), max_digits=12, decimal_places=2, min_value=Decimal("0.01")
    )
    approval_reference = forms.CharField(label=_("approval document"), max_length=60)


class PaymentForm(BootstrapFormMixin, forms.Form):
    reference = forms.CharField(label=_("payment reference"), max_length=60)


class ReasonForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 2}))
