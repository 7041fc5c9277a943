"""WebSocket routes served by the ASGI application."""

websocket_urlpatterns: list = []
