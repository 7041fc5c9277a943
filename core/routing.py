"""WebSocket routes served by the ASGI application."""

from django.urls import path

from core.consumers import LiveConsumer

websocket_urlpatterns = [path("ws/live/", LiveConsumer.as_asgi())]
