from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HallConfig(AppConfig):
    """The top layer: the pages that read every other app (home, wall screen, dashboard).
    No models of its own."""

    name = "hall"
    verbose_name = _("Command hall")
