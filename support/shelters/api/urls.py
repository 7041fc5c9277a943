"""API of support — shelters part (/api/v1/support/)."""

from rest_framework.routers import SimpleRouter

from support.shelters.api import views

router = SimpleRouter()
router.register("shelters", views.ShelterViewSet, basename="shelter")
router.register("shelter-indicators", views.ShelterIndicatorViewSet, basename="shelter-indicator")

urlpatterns = router.urls
