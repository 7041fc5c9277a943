"""Pages of support — requisition part (/support/requisitions/…)."""

from django.urls import path

from support.requisition import views

urlpatterns = [
    path("requisitions/", views.RequisitionListView.as_view(), name="requisition_list"),
    path("requisitions/new/", views.RequisitionCreateView.as_view(), name="requisition_create"),
    path(
        "requisitions/<int:pk>/", views.RequisitionDetailView.as_view(), name="requisition_detail"
    ),
    path(
        "requisitions/<int:pk>/print/",
        views.RequisitionPrintView.as_view(),
        name="requisition_print",
    ),
    path(
        "requisitions/<int:pk>/<slug:action>/",
        views.RequisitionActionView.as_view(),
        name="requisition_action",
    ),
]
