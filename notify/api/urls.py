from django.urls import path

from notify.api.views import GatewayCallbackView

app_name = "notify-api"

urlpatterns = [
    path("callback/", GatewayCallbackView.as_view(), name="callback"),
]
