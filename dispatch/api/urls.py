from django.urls import path
from rest_framework.routers import SimpleRouter

from dispatch.api import views

router = SimpleRouter()
router.register("plans", views.PlanViewSet, basename="plan")
router.register("orders", views.OrderViewSet, basename="order")
router.register("notices", views.NoticeViewSet, basename="notice")
router.register("reinforcements", views.ReinforcementViewSet, basename="reinforcement")
router.register("special-periods", views.SpecialPeriodViewSet, basename="special-period")
router.register("alerts", views.AlertViewSet, basename="alert")

urlpatterns = [
    path("suggestions/", views.SuggestionView.as_view(), name="suggestions"),
    *router.urls,
]
