"""Who may do what with passage (Liaocheng §四.2 交通运输保障): the one place the pages,
the API, the services and the live feed ask.

- *Requests* (交通管制、应急通道) go from the bureau or the fire brigade of the incident's
  jurisdiction (or above) to the traffic police or the transport bureau; the addressee's
  accounts answer, or the bureau records the answer on its behalf (值班员代答).
- *Passes* (应急救援车辆通行证) are issued and revoked by the bureau or the fire brigade
  of the jurisdiction (or above).
- *Readers*: SUPPORT_READERS of the jurisdiction and below; a department editor reads
  only the requests addressed to its organisation and the passes of its own forces.
"""

from __future__ import annotations

from typing import Any

from core.choices import OrganisationKind
from core.models import Jurisdiction
from core.roles import Role
from support.permissions import SUPPORT_READERS, active, holds, is_bureau

__all__ = [
    "ANSWER_ROLES",
    "OWN_ORGANISATION_READERS",
    "PASSAGE_SECTORS",
    "can_read_passage",
    "may_answer_passage",
    "may_issue_pass",
    "may_request_passage",
    "reads_in_jurisdiction",
]

# The sectors a passage request may be addressed to: public security (its traffic police)
# and transport.
PASSAGE_SECTORS = ("公安", "交通运输")
# The addressee's accounts that answer for it.
ANSWER_ROLES = (Role.DEPARTMENT_EDITOR, Role.DUTY_OFFICER, Role.ADMINISTRATOR)
# Who reads only the rows of its own organisation (requests addressed to it, its passes).
OWN_ORGANISATION_READERS = frozenset({Role.DEPARTMENT_EDITOR})
JURISDICTION_READERS = SUPPORT_READERS - OWN_ORGANISATION_READERS


def _fire_brigade(user: Any, jurisdiction: Jurisdiction) -> bool:
    return (
        user.has_role(Role.FIRE_DISPATCHER)
        and user.organisation_id is not None
        and user.organisation.kind == OrganisationKind.FIRE_RESCUE
        and holds(user, jurisdiction)
    )


def may_request_passage(user: Any, jurisdiction: Jurisdiction) -> bool:
    """The bureau or the fire brigade of ``jurisdiction`` or above asks for traffic
    control or an emergency channel, lifts or withdraws it."""
    if not active(user):
        return False
    return is_bureau(user, jurisdiction) or _fire_brigade(user, jurisdiction)


def may_issue_pass(user: Any, jurisdiction: Jurisdiction) -> bool:
    """The bureau or the fire brigade of ``jurisdiction`` or above issues and revokes
    vehicle passes."""
    return may_request_passage(user, jurisdiction)


def is_addressee(user: Any, organisation_id: int) -> bool:
    return active(user) and user.organisation_id == organisation_id and user.has_role(*ANSWER_ROLES)


def may_answer_passage(user: Any, request: Any) -> bool:
    """The addressee's accounts, or the bureau of the request's jurisdiction recording
    the addressee's answer on its behalf."""
    return is_addressee(user, request.addressee_id) or is_bureau(user, request.jurisdiction)


def reads_in_jurisdiction(user: Any) -> bool:
    return bool(user.is_superuser or user.has_role(*JURISDICTION_READERS))


def can_read_passage(user: Any) -> bool:
    """Opens the passage list and API at all (which rows: ``selectors``)."""
    if not active(user):
        return False
    return user.is_superuser or user.has_role(*SUPPORT_READERS)
