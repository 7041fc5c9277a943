"""The sync API under /api/v1/sync/: the change feed and the subscribers."""

from rest_framework.routers import SimpleRouter

router = SimpleRouter()

urlpatterns = [*router.urls]
