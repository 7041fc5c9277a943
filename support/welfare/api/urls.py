"""API of support — welfare part (mounted at /api/v1/support/)."""

from rest_framework.routers import SimpleRouter

from support.welfare.api import views

router = SimpleRouter()
router.register("health-records", views.HealthRecordViewSet, basename="health-record")
router.register("insurance-policies", views.InsurancePolicyViewSet, basename="insurance-policy")
router.register("commendations", views.CommendationViewSet, basename="commendation")
router.register("casualty-cases", views.CasualtyCaseViewSet, basename="casualty-case")

urlpatterns = router.urls
