"""The command hall: wall screen, its JSON, the event feed and the duty dashboard."""

from django.urls import path

from hall import views as live_views

app_name = "hall"
urlpatterns = [
    path("screen/", live_views.screen, name="screen"),
    path("screen/data.json", live_views.screen_data, name="screen_data"),
    path("feed/", live_views.feed, name="feed"),
    path("dashboard/", live_views.dashboard, name="dashboard"),
    path("dashboard/panel/<slug:name>/", live_views.dashboard_panel, name="dashboard_panel"),
]
