from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Platform")
    default = True

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
        from django.db.models.signals import post_migrate

        from core import audit
        from core.api.fields import bound_model_serializers
        from core.auth_views import extend_screen_session
        from core.roles import ensure_role_groups

        # Not tied to one sender: other apps' permissions exist only after their own migrate.
        post_migrate.connect(ensure_role_groups, dispatch_uid="core.ensure_role_groups")
        # Page logins and logouts in the audit trail (django-axes listens to them as well).
        user_logged_in.connect(audit.on_logged_in, dispatch_uid="core.audit.logged_in")
        user_logged_out.connect(audit.on_logged_out, dispatch_uid="core.audit.logged_out")
        user_login_failed.connect(audit.on_login_failed, dispatch_uid="core.audit.login_failed")
        user_logged_in.connect(extend_screen_session, dispatch_uid="core.extend_screen_session")
        bound_model_serializers()
        _register_subjects()


def _register_subjects() -> None:
    """The change feed shows organisations as the API does (core.subjects); accounts
    have no API representation and go out with ``data: null``."""
    from core import subjects
    from core.api.views import OrganisationViewSet

    subjects.register(
        "core.organisation",
        serializer=OrganisationViewSet.serializer_class,
        queryset=subjects.from_viewset(OrganisationViewSet),
    )
    subjects.declare("core.user")


class PlatformAdminConfig(admin_apps.AdminConfig):
    """``django.contrib.admin`` with the operators-only site (core/admin_site.py);
    named in INSTALLED_APPS instead of ``django.contrib.admin``."""

    default = False
    default_site = "core.admin_site.PlatformAdminSite"
