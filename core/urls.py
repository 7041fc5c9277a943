from django.contrib.auth import views as auth_views
from django.urls import path

from core import auth_views as credential_views
from core import views

urlpatterns = [
    path("login/", credential_views.LoginView.as_view(), name="login"),
    path("login/otp/", credential_views.otp_verify, name="otp_verify"),
    path("login/otp/setup/", credential_views.otp_setup, name="otp_setup"),
    path(
        "password/change/",
        credential_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("healthz", views.healthz, name="healthz"),
    path("reveal-phone/", views.reveal_phone, name="reveal_phone"),
    path("audit/", views.audit, name="audit"),
]
