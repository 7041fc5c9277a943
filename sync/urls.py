"""The sync pages under /sync/."""

from django.urls import path

from sync import views

app_name = "sync"

urlpatterns = [
    path("", views.subscriber_list, name="subscriber_list"),
    path("subscribers/new/", views.subscriber_create, name="subscriber_create"),
    path("subscribers/<int:pk>/edit/", views.subscriber_edit, name="subscriber_edit"),
    path(
        "subscribers/<int:pk>/<slug:action>/",
        views.subscriber_action,
        name="subscriber_action",
    ),
]
