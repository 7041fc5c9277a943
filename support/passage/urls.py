"""Pages of support — passage part (mounted /support/, namespace ``support``)."""

from django.urls import path

from support.passage import views

urlpatterns = [
    path("passage/", views.PassageListView.as_view(), name="passage_list"),
    path(
        "passage/requests/new/",
        views.PassageRequestCreateView.as_view(),
        name="passage_request_create",
    ),
    path(
        "passage/requests/<int:pk>/",
        views.PassageRequestDetailView.as_view(),
        name="passage_request_detail",
    ),
    path(
        "passage/requests/<int:pk>/<slug:action>/",
        views.PassageRequestActionView.as_view(),
        name="passage_request_action",
    ),
    path("passage/passes/new/", views.VehiclePassCreateView.as_view(), name="pass_create"),
    path("passage/passes/<int:pk>/", views.VehiclePassDetailView.as_view(), name="pass_detail"),
    path(
        "passage/passes/<int:pk>/revoke/",
        views.VehiclePassRevokeView.as_view(),
        name="pass_revoke",
    ),
    path("passage/passes/<int:pk>/print/", views.VehiclePassPrintView.as_view(), name="pass_print"),
    path("passage/passes/<int:pk>/pdf/", views.VehiclePassPdfView.as_view(), name="pass_pdf"),
    # Public: a checkpoint's phone opens it from the QR code, without logging in.
    path("passes/verify/<str:token>/", views.PassVerifyView.as_view(), name="pass_verify"),
]
