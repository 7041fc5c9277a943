from django.urls import path

from drills import after_action_views, views

app_name = "drills"

urlpatterns = [
    path("", views.DrillListView.as_view(), name="list"),
    path("new/", views.DrillFormView.as_view(), name="create"),
    path("<int:pk>/", views.DrillDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.DrillFormView.as_view(), name="edit"),
    path("<int:pk>/conduct/", views.DrillConductView.as_view(), name="conduct"),
    path("<int:pk>/evaluate/", views.DrillEvaluateView.as_view(), name="evaluate"),
    path("<int:pk>/attachments/", views.AttachmentUploadView.as_view(), name="attachment_add"),
    path("attachments/<int:pk>/", views.AttachmentDownloadView.as_view(), name="attachment"),
    path("actions/<int:pk>/close/", views.ActionCloseView.as_view(), name="action_close"),
    path("plans/", views.AnnualPlanListView.as_view(), name="plan_list"),
    path("plans/<int:pk>/", views.AnnualPlanDetailView.as_view(), name="plan_detail"),
    path(
        "contingency-plans/",
        views.ContingencyPlanListView.as_view(),
        name="contingency_plans",
    ),
    path("calendar/", views.CalendarView.as_view(), name="calendar"),
    path("compliance/", views.ComplianceView.as_view(), name="compliance"),
]
urlpatterns += after_action_views.urlpatterns
