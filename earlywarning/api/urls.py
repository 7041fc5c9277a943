"""The warnings API under /api/v1/warnings/: each part keeps its own routes."""

from earlywarning.api import cap, grids, warnings

# CAP and grid routes first: the router's "warnings/<pk>/" must not shadow
# "warnings/import-cap/".
urlpatterns = [*cap.urlpatterns, *grids.urlpatterns, *warnings.urlpatterns]
