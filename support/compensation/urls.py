"""Pages of support — compensation part (/support/compensation/…)."""

from django.urls import path

from support.compensation import views

urlpatterns = [
    path("compensation/", views.ClaimListView.as_view(), name="compensation_list"),
    path("compensation/new/", views.ClaimFormView.as_view(), name="compensation_create"),
    path("compensation/<int:pk>/", views.ClaimDetailView.as_view(), name="compensation_detail"),
    path("compensation/<int:pk>/edit/", views.ClaimFormView.as_view(), name="compensation_edit"),
    path(
        "compensation/attachments/<int:pk>/",
        views.AttachmentDownloadView.as_view(),
        name="compensation_attachment",
    ),
    path(
        "compensation/<int:pk>/<slug:action>/",
        views.ClaimActionView.as_view(),
        name="compensation_action",
    ),
]
