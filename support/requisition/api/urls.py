"""API of support — requisition part (filled by its owner)."""

urlpatterns: list = []
