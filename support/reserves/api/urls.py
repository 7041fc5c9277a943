"""API of support — reserves part, under /api/v1/support/."""

from rest_framework.routers import SimpleRouter

from support.reserves.api import views

router = SimpleRouter()
router.register("warehouses", views.WarehouseViewSet, basename="warehouse")
router.register("items", views.ItemViewSet, basename="reserve-item")
router.register("stock-levels", views.StockLevelViewSet, basename="stock-level")
router.register("batches", views.BatchViewSet, basename="stock-batch")
router.register("movements", views.MovementViewSet, basename="stock-movement")
router.register("stock", views.StockOnHandView, basename="stock-on-hand")
urlpatterns = [*router.urls]
