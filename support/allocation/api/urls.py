"""API of support — allocation part, under /api/v1/support/."""

from support.allocation.api import views

urlpatterns = [*views.urlpatterns]
