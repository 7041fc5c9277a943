from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def ensure_default_rules(sender, using="default", **kwargs) -> None:
    """Put back the default rules and escalation steps when the tables are empty: a
    database flushed by a test (or restored without data) still reaches people. A
    deployment that changed or deactivated rows keeps them as they are."""
    import importlib

    from django.apps import apps

    from notify.models import EscalationStep, RecipientRule

    if RecipientRule.objects.using(using).exists() or EscalationStep.objects.using(using).exists():
        return
    importlib.import_module("notify.migrations.0002_seed_default_rules").seed(apps, None)


class NotifyConfig(AppConfig):
    name = "notify"
    verbose_name = _("Notifications")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        post_migrate.connect(ensure_default_rules, sender=self, dispatch_uid="notify.defaults")
