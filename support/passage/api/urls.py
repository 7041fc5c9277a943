"""API of support — passage part (filled by its owner)."""

urlpatterns: list = []
