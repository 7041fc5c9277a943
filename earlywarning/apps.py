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
        from earlywarning.api.grids import GridViewSet
        from earlywarning.api.warnings import WarningViewSet
        from earlywarning.notifications import register_handlers

        # The change feed shows warnings and grids as the API does (core.subjects).
        for label, viewset in (
            ("earlywarning.hazardwarning", WarningViewSet),
            ("earlywarning.grid", GridViewSet),
        ):
            subjects.register(
                label,
                serializer=viewset.serializer_class,
                queryset=subjects.from_viewset(viewset),
            )
        # An SMS reply, a one-time link or a voice key answers a warning (叫应).
        register_handlers()
