"""The sync API under /api/v1/sync/: the change feed and the subscribers."""

from rest_framework.routers import SimpleRouter

from sync.api.subscribers import SubscriberViewSet

router = SimpleRouter()
router.register("subscribers", SubscriberViewSet, basename="sync-subscriber")

urlpatterns = [*router.urls]
