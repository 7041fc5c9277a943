"""The Django admin is the platform operators' tool: superusers only. Administrators of
a jurisdiction manage its accounts and organisations on the platform's own pages
(/accounts/), whose services authorise, validate and record events; nothing in the
admin can be written around them."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.utils.translation import gettext_lazy as _


class OperatorAuthenticationForm(AdminAuthenticationForm):
    """The admin login admits superusers, not "staff": staff status grants nothing here."""

    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "invalid_login": _(
            "Please enter the user name and password of a platform operator account."
        ),
    }

    def confirm_login_allowed(self, user) -> None:
        if not (user.is_active and user.is_superuser):
            raise forms.ValidationError(
                self.error_messages["invalid_login"],
                code="invalid_login",
                params={"username": self.username_field.verbose_name},
            )


class PlatformAdminSite(admin.AdminSite):
    site_header = _("Linkage platform operations")
    site_title = _("Linkage platform operations")
    login_form = OperatorAuthenticationForm

    def has_permission(self, request) -> bool:
        user = request.user
        return bool(user.is_active and user.is_superuser)
