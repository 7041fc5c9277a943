"""Pages of support — welfare part (mounted under /support/, namespace ``support``)."""

from django.urls import path

from support.welfare import views

urlpatterns = [
    path("welfare/", views.WelfareIndexView.as_view(), name="welfare_index"),
    path("welfare/people/<int:pk>/", views.PersonView.as_view(), name="welfare_person"),
    path(
        "welfare/people/<int:pk>/health/",
        views.HealthRecordCreateView.as_view(),
        name="welfare_health_create",
    ),
    path(
        "welfare/people/<int:pk>/insurance/",
        views.InsurancePolicyCreateView.as_view(),
        name="welfare_insurance_create",
    ),
    path(
        "welfare/people/<int:pk>/commendation/",
        views.PersonCommendationCreateView.as_view(),
        name="welfare_commendation_create",
    ),
    path(
        "welfare/people/<int:pk>/casualty/",
        views.CasualtyCreateView.as_view(),
        name="casualty_create",
    ),
    path(
        "welfare/forces/<int:pk>/commendation/",
        views.ForceCommendationCreateView.as_view(),
        name="force_commendation_create",
    ),
    path("welfare/commendations/", views.CommendationListView.as_view(), name="commendation_list"),
    path("welfare/casualties/", views.CasualtyListView.as_view(), name="casualty_list"),
    path(
        "welfare/casualties/<int:pk>/", views.CasualtyDetailView.as_view(), name="casualty_detail"
    ),
    path(
        "welfare/casualties/<int:pk>/review/",
        views.CasualtyStepView.as_view(step="review"),
        name="casualty_review",
    ),
    path(
        "welfare/casualties/<int:pk>/decide/",
        views.CasualtyStepView.as_view(step="decide"),
        name="casualty_decide",
    ),
]
