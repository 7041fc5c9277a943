"""Pages of support — compensation part (filled by its owner)."""

urlpatterns: list = []
