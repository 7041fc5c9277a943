from django.urls import path

from dispatch import views

app_name = "dispatch"
urlpatterns = [
    path("plans/", views.PlanListView.as_view(), name="plan_list"),
    path(
        "incidents/<int:incident_pk>/plans/new/",
        views.PlanFormView.as_view(),
        name="plan_create",
    ),
    path(
        "reinforcements/<int:reinforcement_pk>/plans/new/",
        views.PlanFormView.as_view(),
        name="reinforcement_plan_create",
    ),
    path("plans/<int:pk>/", views.PlanDetailView.as_view(), name="plan_detail"),
    path("plans/<int:pk>/edit/", views.PlanFormView.as_view(), name="plan_edit"),
    path("plans/<int:pk>/submit/", views.PlanSubmitView.as_view(), name="plan_submit"),
    path("plans/<int:pk>/approve/", views.PlanApproveView.as_view(), name="plan_approve"),
    path("plans/<int:pk>/reject/", views.PlanRejectView.as_view(), name="plan_reject"),
    path("plans/<int:pk>/consent/", views.PlanConsentView.as_view(), name="plan_consent"),
    path("orders/", views.OrderListView.as_view(), name="order_list"),
    path("orders/<int:pk>/", views.OrderDetailView.as_view(), name="order_detail"),
    path("orders/<int:pk>/step/", views.OrderStepView.as_view(), name="order_step"),
    path("orders/<int:pk>/pdf/", views.OrderPdfView.as_view(), name="order_pdf"),
    path("reinforcements/", views.ReinforcementListView.as_view(), name="reinforcement_list"),
    path(
        "incidents/<int:incident_pk>/reinforcements/new/",
        views.ReinforcementCreateView.as_view(),
        name="reinforcement_create",
    ),
    path(
        "reinforcements/<int:pk>/",
        views.ReinforcementDetailView.as_view(),
        name="reinforcement_detail",
    ),
    path(
        "reinforcements/<int:pk>/decide/",
        views.ReinforcementDecideView.as_view(),
        name="reinforcement_decide",
    ),
    path("special-periods/", views.SpecialPeriodListView.as_view(), name="special_period_list"),
    path(
        "special-periods/<int:pk>/end/",
        views.SpecialPeriodEndView.as_view(),
        name="special_period_end",
    ),
    path("notices/", views.NoticeListView.as_view(), name="notice_list"),
    path("notices/<int:pk>/read/", views.NoticeReadView.as_view(), name="notice_read"),
]
