from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SyncConfig(AppConfig):
    """Provincial sync (SPEC §8, §11): the change feed, outbound push to subscribers."""

    name = "sync"
    verbose_name = _("Provincial sync")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from core import subjects

        # Subscribers' events are in the feed (for their sync client and administrators);
        # their API row counts lag per row, too dear for a feed page: no representation.
        subjects.declare("sync.subscriber")
