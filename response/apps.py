from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResponseConfig(AppConfig):
    name = "response"
    verbose_name = _("Graded response")

    def ready(self) -> None:
        from response.notifications import register_handlers

        # An SMS reply, a one-time link or a voice key acknowledges an instruction (签收).
        register_handlers()
