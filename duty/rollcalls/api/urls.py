from django.urls import path
from rest_framework.routers import SimpleRouter

from duty.rollcalls.api import views

router = SimpleRouter()
router.register("roll-calls", views.RollCallViewSet, basename="roll-call")
router.register("roll-call-targets", views.TargetViewSet, basename="roll-call-target")
router.register("roll-call-schedules", views.ScheduleViewSet, basename="roll-call-schedule")

urlpatterns = [
    *router.urls,
    path("roll-call-report/", views.ReportView.as_view(), name="roll-call-report"),
]
