"""The warning pages under /warnings/: each part keeps its own routes."""

from earlywarning.views import cap, grids, warnings

app_name = "earlywarning"

# CAP and grid routes first: "<pk>/" patterns of the warning pages must not shadow them.
urlpatterns = [*cap.urlpatterns, *grids.urlpatterns, *warnings.urlpatterns]
