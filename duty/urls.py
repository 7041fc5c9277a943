from django.urls import include, path

app_name = "duty"

urlpatterns = [
    path("", include("duty.rosters.urls")),
    path("", include("duty.rollcalls.urls")),
]
