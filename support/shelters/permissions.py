"""Who may do what with shelters and indicators (Linqing §四.(四)): pages, API, services,
the admin and the live feed ask these.

- read: SUPPORT_READERS, scoped to their jurisdiction and below;
- register a shelter: the bureau of the shelter's jurisdiction or above;
- edit a shelter: the bureau, or the managing unit's editors for its own shelters (which
  they may not hand to another unit or jurisdiction);
- set the population and target: the bureau or the administrators of the jurisdiction
  or above.
"""

from __future__ import annotations

from typing import Any

from core.masking import mask_phone
from core.models import Jurisdiction
from core.permissions import can_see_personal_data
from core.roles import Role
from support.models import Shelter
from support.permissions import active, holds, is_bureau, is_organisation_editor, reads_support

__all__ = [
    "keeper_phone_for",
    "may_edit_shelter",
    "may_register_shelter",
    "may_set_indicator",
    "reads_shelters",
]


def reads_shelters(user: Any) -> bool:
    return reads_support(user)


def may_register_shelter(user: Any, jurisdiction: Jurisdiction) -> bool:
    return is_bureau(user, jurisdiction)


def may_edit_shelter(user: Any, shelter: Shelter) -> bool:
    return is_bureau(user, shelter.jurisdiction) or (
        holds(user, shelter.jurisdiction) and is_organisation_editor(user, shelter.owner_id)
    )


def keeper_phone_for(user: Any, shelter: Shelter) -> str:
    """The keeper's mobile in full for those who manage the shelter (and administrators),
    masked for every other reader (another department, the provincial sync client)."""
    if may_edit_shelter(user, shelter) or can_see_personal_data(user, shelter.owner_id):
        return shelter.keeper_phone
    return mask_phone(shelter.keeper_phone)


def may_set_indicator(user: Any, jurisdiction: Jurisdiction) -> bool:
    if is_bureau(user, jurisdiction):
        return True
    return active(user) and user.has_role(Role.ADMINISTRATOR) and holds(user, jurisdiction)
