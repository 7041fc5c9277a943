from django.urls import include, path

urlpatterns = [
    path("", include("duty.rosters.api.urls")),
    path("", include("duty.rollcalls.api.urls")),
]
