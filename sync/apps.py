from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SyncConfig(AppConfig):
    """Provincial sync (SPEC §8, §11): the change feed, outbound push to subscribers."""

    name = "sync"
    verbose_name = _("Provincial sync")
    default_auto_field = "django.db.models.BigAutoField"
