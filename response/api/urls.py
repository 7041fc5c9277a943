"""The graded-response API, mounted at /api/v1/response/."""

from response.api import views

urlpatterns = [*views.urlpatterns]
