"""consultations API."""

urlpatterns: list = []
