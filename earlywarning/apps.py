from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EarlyWarningConfig(AppConfig):
    """Warnings (预警) with call-and-answer (叫应) down to grid persons, CAP 1.2 in and out
    (SPEC §3, Tieling §三.二.5). Named ``earlywarning``: ``warnings`` is Python's own."""

    name = "earlywarning"
    verbose_name = _("Warnings")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from core import subjects

        # Until the API registers representations (DESIGN12), the feed knows the kinds.
        subjects.declare("earlywarning.hazardwarning")
        from earlywarning.api.grids import GridViewSet

        subjects.register(
            "earlywarning.grid",
            serializer=GridViewSet.serializer_class,
            queryset=subjects.from_viewset(GridViewSet),
        )

        from earlywarning.notifications import register_handlers

        # An SMS reply, a one-time link or a voice key answers a warning (叫应).
        register_handlers()
