"""API of support — allocation part (filled by its owner)."""

urlpatterns: list = []
