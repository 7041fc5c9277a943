from django.apps import AppConfig


class DrillsConfig(AppConfig):
    name = "drills"

    def ready(self) -> None:
        # The change feed shows drills and plans as the API does (core.subjects).
        from core import subjects
        from drills.api import views

        for label, viewset in (
            ("drills.drill", views.DrillViewSet),
            ("drills.contingencyplan", views.ContingencyPlanViewSet),
            ("drills.annualdrillplan", views.AnnualDrillPlanViewSet),
            ("drills.afteractionreport", views.AfterActionReportViewSet),
        ):
            subjects.register(
                label, serializer=viewset.serializer_class, queryset=subjects.from_viewset(viewset)
            )
