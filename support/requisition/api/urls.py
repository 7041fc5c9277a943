"""API of support — requisition part (/api/v1/support/requisitions/)."""

from support.requisition.api import views

urlpatterns = [*views.urlpatterns]
