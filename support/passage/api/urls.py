"""API of support — passage part (mounted /api/v1/support/)."""

from django.urls import path

from support.passage.api import views

urlpatterns = [
    *views.router.urls,
    path("passes/verify/", views.PassVerifyView.as_view(), name="support-pass-verify"),
]
