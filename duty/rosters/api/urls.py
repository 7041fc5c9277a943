from rest_framework.routers import SimpleRouter

from duty.rosters.api import views

router = SimpleRouter()
router.register("rosters", views.RosterViewSet, basename="duty-roster")
router.register("shifts", views.ShiftViewSet, basename="duty-shift")
router.register("spot-checks", views.SpotCheckViewSet, basename="duty-spot-check")

urlpatterns = router.urls
