"""reports API."""

urlpatterns: list = []
