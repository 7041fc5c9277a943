"""Pages of support — shelters part (/support/shelters/)."""

from django.urls import path

from support.shelters import views

urlpatterns = [
    path("shelters/", views.ShelterListView.as_view(), name="shelter_list"),
    path("shelters/new/", views.ShelterFormView.as_view(), name="shelter_create"),
    path("shelters/<int:pk>/", views.ShelterDetailView.as_view(), name="shelter_detail"),
    path("shelters/<int:pk>/edit/", views.ShelterFormView.as_view(), name="shelter_edit"),
    path("shelters/indicators/", views.IndicatorListView.as_view(), name="shelter_indicators"),
    path(
        "shelters/indicators/<int:jurisdiction_id>/",
        views.IndicatorListView.as_view(),
        name="shelter_indicator_set",
    ),
]
