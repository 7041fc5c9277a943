"""The warning pages under /warnings/."""

from django.urls import path  # noqa: F401

app_name = "earlywarning"

urlpatterns: list = []
