"""Pages of support — allocation part (调拨), mounted under /support/."""

from support.allocation import views

urlpatterns = [*views.urlpatterns]
