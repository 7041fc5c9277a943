"""The sync API under /api/v1/sync/: the change feed and the subscribers."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from sync.api.subscribers import SubscriberViewSet
from sync.api.views import ChangesView

router = SimpleRouter()
router.register("subscribers", SubscriberViewSet, basename="sync-subscriber")

urlpatterns = [
    path("changes/", ChangesView.as_view(), name="sync-changes"),
    *router.urls,
]
