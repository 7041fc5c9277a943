"""The support API, mounted at /api/v1/support/: each part keeps its own urlpatterns."""

from support.allocation.api import urls as allocation
from support.compensation.api import urls as compensation
from support.passage.api import urls as passage
from support.requisition.api import urls as requisition
from support.reserves.api import urls as reserves
from support.shelters.api import urls as shelters
from support.welfare.api import urls as welfare

urlpatterns = [
    *reserves.urlpatterns,
    *allocation.urlpatterns,
    *requisition.urlpatterns,
    *compensation.urlpatterns,
    *passage.urlpatterns,
    *welfare.urlpatterns,
    *shelters.urlpatterns,
]
