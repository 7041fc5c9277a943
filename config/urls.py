from csp.decorators import csp_update
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

from hall import views as hall_views

# The API documentation pages are third-party: Swagger UI has an inline <style>, Redoc
# injects its styles and runs its search in a blob: worker. Their scripts come from
# drf-spectacular-sidecar (static) and, for Swagger UI, a same-origin script URL (the
# "split" view), so script-src stays 'self' for them too.
_API_DOCS_CSP = {"style-src": ["'unsafe-inline'"], "worker-src": ["'self'", "blob:"]}

urlpatterns = [
    # One login for everything: the admin's own would skip the second factor.
    path("admin/login/", RedirectView.as_view(pattern_name="login", query_string=True)),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path(
        "api/docs/",
        csp_update(_API_DOCS_CSP)(SpectacularSwaggerSplitView.as_view(url_name="api-schema")),
        name="api-docs",
    ),
    path(
        "api/redoc/",
        csp_update(_API_DOCS_CSP)(
            SpectacularRedocView.as_view(url_name="api-schema", template_name="api/redoc.html")
        ),
        name="api-redoc",
    ),
    path("api/v1/", include("config.api_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("forces/", include("forces.urls")),
    path("command/", include("command.urls")),
    path("warnings/", include("earlywarning.urls")),
    path("response/", include("response.urls")),
    path("support/", include("support.urls")),
    path("dispatch/", include("dispatch.urls")),
    path("hall/", include("hall.urls")),
    path("duty/", include("duty.urls")),
    path("drills/", include("drills.urls")),
    path("sync/", include("sync.urls")),
    path("accounts/", include("core.account_urls")),
    # /notifications/… and the SMS's one-time link /a/<token>
    path("", include("notify.urls")),
    path("", include("core.urls")),
    # The landing page reads every app, so it lives in the top one (hall), not in core.
    path("", hall_views.home, name="home"),
]

handler400 = "core.errors.bad_request"
handler403 = "core.errors.permission_denied"
handler404 = "core.errors.page_not_found"
handler500 = "core.errors.server_error"
