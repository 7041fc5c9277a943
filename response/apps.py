from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResponseConfig(AppConfig):
    """Graded response (分级响应): manuals with instruction lists, activations for an
    incident or a warning, instructions sent to departments, seats (DESIGN13)."""

    name = "response"
    verbose_name = _("Graded response")

    def ready(self) -> None:
        from core import subjects
        from response.api import serializers as s
        from response.api import views
        from response.notifications import register_handlers

        # The change feed shows responses, instructions, seats and manuals as the API
        # does (core.subjects), with the list view's counts for a page of responses.
        subjects.register(
            "response.responseactivation",
            serializer=s.ActivationSerializer,
            queryset=subjects.from_viewset(views.ActivationViewSet),
            context=lambda user, objects: {"counts": s.counts_of(objects)},
        )
        for label, viewset in (
            ("response.responseinstruction", views.InstructionViewSet),
            ("response.seat", views.SeatViewSet),
            ("response.responsemanual", views.ManualViewSet),
        ):
            subjects.register(
                label,
                serializer=viewset.serializer_class,
                queryset=subjects.from_viewset(viewset),
            )
        # An SMS reply, a one-time link or a voice key acknowledges an instruction (签收).
        register_handlers()
        # An incident with an active response closes only by ending it, with a reason.
        from command import closing
        from response.services import describe_open_responses, end_open_responses

        closing.register(
            "response.activations", describe=describe_open_responses, end=end_open_responses
        )
