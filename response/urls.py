"""Pages of graded response, mounted at /response/: each part keeps its own urlpatterns."""

from response.views import activations, manuals

app_name = "response"
urlpatterns = [*manuals.urlpatterns, *activations.urlpatterns]
