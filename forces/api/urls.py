from django.urls import path
from rest_framework.routers import SimpleRouter

from forces.api import views
from forces.api.census import CensusAPIView

router = SimpleRouter()
router.register("forces", views.ForceViewSet, basename="force")
router.register("personnel", views.PersonnelViewSet, basename="personnel")
router.register("equipment", views.EquipmentViewSet, basename="equipment")
router.register("materials", views.MaterialViewSet, basename="material")
router.register("experts", views.ExpertViewSet, basename="expert")
router.register("expert-groups", views.ExpertGroupViewSet, basename="expert-group")
router.register("specialties", views.SpecialtyViewSet, basename="specialty")
router.register("formations", views.FormationViewSet, basename="formation")

urlpatterns = [*router.urls, path("census/", CensusAPIView.as_view(), name="force-census")]
