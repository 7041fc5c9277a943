"""Support (保障, SPEC §7): material reserves and their stock (``reserves``), allocation
(``allocation``), requisition of equipment (``requisition``), passage (``passage``),
rescuer welfare (``welfare``), compensation (``compensation``), shelters (``shelters``)
and the alerts raised on them (``alerts``)."""

from support.models.alerts import *  # noqa: F403
from support.models.allocation import *  # noqa: F403
from support.models.compensation import *  # noqa: F403
from support.models.passage import *  # noqa: F403
from support.models.requisition import *  # noqa: F403
from support.models.reserves import *  # noqa: F403
from support.models.shelters import *  # noqa: F403
from support.models.welfare import *  # noqa: F403
