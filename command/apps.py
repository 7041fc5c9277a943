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
        # 30-minute reports, their rules and 会商研判 meetings, as their API shows them.
        from command.api.consultations import ConsultationViewSet
        from command.api.reports import IncidentReportViewSet, ReportRuleViewSet

        for label, viewset in (
            ("command.incidentreport", IncidentReportViewSet),
            ("command.reportrule", ReportRuleViewSet),
            ("command.consultation", ConsultationViewSet),
        ):
            subjects.register(
                label, serializer=viewset.serializer_class, queryset=subjects.from_viewset(viewset)
            )
