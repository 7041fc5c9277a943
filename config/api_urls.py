"""Every REST route lives under /api/v1/<app>/<kebab-plural>/."""

from django.urls import include, path

urlpatterns = [
    path("", include("core.api.urls")),
    path("forces/", include("forces.api.urls")),
    path("command/", include("command.api.urls")),
    path("warnings/", include("earlywarning.api.urls")),
    path("response/", include("response.api.urls")),
    path("support/", include("support.api.urls")),
    path("dispatch/", include("dispatch.api.urls")),
    path("duty/", include("duty.api.urls")),
    path("drills/", include("drills.api.urls")),
    path("notify/", include("notify.api.urls")),
    path("sync/", include("sync.api.urls")),
]
