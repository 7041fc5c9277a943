"""API of support — shelters part (filled by its owner)."""

urlpatterns: list = []
