from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommandConfig(AppConfig):
    name = "command"
    verbose_name = _("Command")

    def ready(self) -> None:
        # The change feed shows an incident as the API does (core.subjects).
        from command.api.serializers import IncidentSerializer
        from command.api.views import IncidentViewSet
        from core import subjects

        subjects.register(
            "command.incident",
            serializer=IncidentSerializer,
            queryset=subjects.from_viewset(IncidentViewSet),
        )
