"""Pages of support — reserves part (filled by its owner)."""

urlpatterns: list = []
