from rest_framework.routers import SimpleRouter

from command.api import consultations, reports, views

router = SimpleRouter()
router.register("incidents", views.IncidentViewSet, basename="incident")
router.register("incident-types", views.IncidentTypeViewSet, basename="incident-type")

urlpatterns = router.urls

urlpatterns = [*urlpatterns, *reports.urlpatterns, *consultations.urlpatterns]
