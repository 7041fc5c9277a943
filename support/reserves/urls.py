"""Pages of support — reserves part, under /support/reserves/."""

from django.urls import path

from support.reserves import views

urlpatterns = [
    path("reserves/", views.WarehouseListView.as_view(), name="warehouse_list"),
    path("reserves/new/", views.WarehouseFormView.as_view(), name="warehouse_create"),
    path("reserves/<int:pk>/", views.WarehouseDetailView.as_view(), name="warehouse_detail"),
    path("reserves/<int:pk>/edit/", views.WarehouseFormView.as_view(), name="warehouse_edit"),
    path(
        "reserves/<int:pk>/<str:action>/",
        views.StockActionView.as_view(),
        name="warehouse_action",
    ),
    path("reserves/items/", views.ItemListView.as_view(), name="item_list"),
    path("reserves/items/new/", views.ItemFormView.as_view(), name="item_create"),
    path("reserves/items/<int:pk>/edit/", views.ItemFormView.as_view(), name="item_edit"),
    path("reserves/stock/", views.StockSearchView.as_view(), name="stock_search"),
    path("reserves/export/", views.ExportView.as_view(), name="reserves_export"),
    path("reserves/template/", views.TemplateView.as_view(), name="reserves_template"),
    path("reserves/import/", views.ImportView.as_view(), name="reserves_import"),
]
