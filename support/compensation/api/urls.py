"""API of support — compensation part (/api/v1/support/compensation-claims/)."""

from support.compensation.api import views

urlpatterns = [*views.urlpatterns]
