from django.contrib.auth import views as auth_views
from django.urls import path

from core import views

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("healthz", views.healthz, name="healthz"),
    path("reveal-phone/", views.reveal_phone, name="reveal_phone"),
    path("audit/", views.audit, name="audit"),
    path("", views.home, name="home"),
]
