"""Pages of support — welfare part (filled by its owner)."""

urlpatterns: list = []
