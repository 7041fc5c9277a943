from rest_framework.routers import SimpleRouter

from drills.api import views

router = SimpleRouter()
router.register("drills", views.DrillViewSet, basename="drill")
router.register("follow-up-actions", views.FollowUpActionViewSet, basename="follow-up-action")
router.register("contingency-plans", views.ContingencyPlanViewSet, basename="contingency-plan")
router.register("annual-plans", views.AnnualDrillPlanViewSet, basename="annual-drill-plan")
router.register(
    "after-action-reports", views.AfterActionReportViewSet, basename="after-action-report"
)
router.register("compliance", views.ComplianceViewSet, basename="drill-compliance")

urlpatterns = router.urls
