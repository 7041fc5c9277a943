from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ForcesConfig(AppConfig):
    name = "forces"
    verbose_name = _("Rescue forces")

    def ready(self) -> None:
        # The change feed shows the registry's records as the API does (core.subjects).
        from core import subjects
        from forces.api import views

        for label, viewset in (
            ("forces.force", views.ForceViewSet),
            ("forces.personnel", views.PersonnelViewSet),
            ("forces.equipment", views.EquipmentViewSet),
            ("forces.material", views.MaterialViewSet),
            ("forces.expert", views.ExpertViewSet),
            ("forces.expertgroup", views.ExpertGroupViewSet),
        ):
            subjects.register(
                label,
                serializer=viewset.serializer_class,
                queryset=subjects.from_viewset(viewset),
            )
