"""Pages of support (保障), mounted at /support/: each part keeps its own urlpatterns."""

from support.allocation import urls as allocation
from support.compensation import urls as compensation
from support.passage import urls as passage
from support.requisition import urls as requisition
from support.reserves import urls as reserves
from support.shelters import urls as shelters
from support.welfare import urls as welfare

app_name = "support"
urlpatterns = [
    *reserves.urlpatterns,
    *allocation.urlpatterns,
    *requisition.urlpatterns,
    *compensation.urlpatterns,
    *passage.urlpatterns,
    *welfare.urlpatterns,
    *shelters.urlpatterns,
]
