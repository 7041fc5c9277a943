"""Django admin of support: each part registers its own models."""

from support.allocation import admin as allocation_admin  # noqa: F401
from support.compensation import admin as compensation_admin  # noqa: F401
from support.passage import admin as passage_admin  # noqa: F401
from support.requisition import admin as requisition_admin  # noqa: F401
from support.reserves import admin as reserves_admin  # noqa: F401
from support.shelters import admin as shelters_admin  # noqa: F401
from support.welfare import admin as welfare_admin  # noqa: F401
