from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DispatchConfig(AppConfig):
    name = "dispatch"
    verbose_name = _("Dispatch")

    def ready(self) -> None:
        # An SMS reply, a one-time link or a voice key acknowledges through the same
        # services as the pages: notify finds them here, never by importing dispatch.
        from dispatch.notifications import register_handlers

        register_handlers()
