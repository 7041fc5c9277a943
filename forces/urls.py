from django.urls import path

from forces import census_views, views

app_name = "forces"
urlpatterns = [
    path("", views.ForceListView.as_view(), name="list"),
    path("new/", views.ForceFormView.as_view(), name="create"),
    path("<int:pk>/", views.ForceDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.ForceFormView.as_view(), name="edit"),
    path("<int:force_pk>/<str:kind>/new/", views.ForceItemFormView.as_view(), name="item_create"),
    path(
        "<int:force_pk>/<str:kind>/<int:item_pk>/edit/",
        views.ForceItemFormView.as_view(),
        name="item_edit",
    ),
    path(
        "<int:force_pk>/<str:kind>/<int:item_pk>/delete/",
        views.ForceItemDeleteView.as_view(),
        name="item_delete",
    ),
    path("experts/", views.ExpertListView.as_view(), name="expert_list"),
    path("experts/new/", views.ExpertFormView.as_view(), name="expert_create"),
    path("experts/<int:pk>/edit/", views.ExpertFormView.as_view(), name="expert_edit"),
    path("census/", census_views.CensusView.as_view(), name="census"),
    path("census/export/", census_views.CensusExportView.as_view(), name="census_export"),
]
