from django.urls import path
from rest_framework.routers import DefaultRouter

from core.api import views

router = DefaultRouter()
router.register("core/jurisdictions", views.JurisdictionViewSet, basename="jurisdiction")
router.register("core/organisations", views.OrganisationViewSet, basename="organisation")

urlpatterns = [
    path("auth/token/", views.TokenView.as_view(), name="api-token"),
    path("auth/token/rotate/", views.TokenRotateView.as_view(), name="api-token-rotate"),
    path("auth/token/revoke/", views.TokenRevokeView.as_view(), name="api-token-revoke"),
    path("auth/tokens/", views.TokenListView.as_view(), name="api-token-list"),
    path("auth/me/", views.MeView.as_view(), name="api-me"),
    *router.urls,
]
