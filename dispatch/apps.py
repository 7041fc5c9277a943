from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DispatchConfig(AppConfig):
    name = "dispatch"
    verbose_name = _("Dispatch")

    def ready(self) -> None:
        _register_command_audience()
        # An SMS reply, a one-time link or a voice key acknowledges through the same
        # services as the pages: notify finds them here, never by importing dispatch.
        from dispatch.notifications import register_handlers

        register_handlers()
        _register_subjects()
        _register_closing()


def _register_subjects() -> None:
    """The change feed shows the dispatch chain as the API does (core.subjects)."""
    from core import subjects
    from dispatch.api import views

    for label, viewset in (
        ("dispatch.calloutplan", views.PlanViewSet),
        ("dispatch.calloutorder", views.OrderViewSet),
        ("dispatch.notice", views.NoticeViewSet),
        ("dispatch.reinforcementrequest", views.ReinforcementViewSet),
        ("dispatch.specialperiod", views.SpecialPeriodViewSet),
    ):
        subjects.register(
            label, serializer=viewset.serializer_class, queryset=subjects.from_viewset(viewset)
        )


def _register_closing() -> None:
    """An incident cannot close while its orders are open or its plans await a decision,
    unless the closer stands them down with a reason (command.closing, issue 13)."""
    from command import closing
    from dispatch.services.ending import describe_open_work, end_open_work

    closing.register("dispatch.orders", describe=describe_open_work, end=end_open_work)


def _register_command_audience() -> None:
    """A command hand-over is told to the forces with open orders (command.command_transfers)."""
    from dispatch.command_audience import register

    register()
