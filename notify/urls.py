"""The notification pages under /notifications/, and the one-time link of an SMS at
/a/<token> (short, so that the SMS stays one segment). Mounted at the root."""

from django.urls import path

from notify import views

app_name = "notify"
urlpatterns = [
    path("notifications/", views.InboxView.as_view(), name="list"),
    path("notifications/bell/", views.bell, name="bell"),
    path("notifications/read/", views.MarkAllReadView.as_view(), name="read_all"),
    path("notifications/<int:pk>/open/", views.OpenView.as_view(), name="open"),
    path("notifications/simulator/", views.SimulatorView.as_view(), name="simulator"),
    path(
        "notifications/simulator/<int:pk>/reply/",
        views.SimulatorReplyView.as_view(),
        name="simulator_reply",
    ),
    path(
        "notifications/simulator/<int:pk>/press-1/",
        views.SimulatorKeypressView.as_view(),
        name="simulator_keypress",
    ),
    path("notifications/health/", views.HealthView.as_view(), name="health"),
    path(
        "notifications/deliveries/<int:pk>/retry/",
        views.RetryView.as_view(),
        name="retry",
    ),
    path("a/<str:token>", views.LinkView.as_view(), name="link"),
    # The same page under the app's own prefix, for links written that way.
    path("notifications/a/<str:token>", views.LinkView.as_view(), name="link_alias"),
]
