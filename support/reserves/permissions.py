"""Who may do what with reserves (Linqing §二.(一)): the keepers — the owner organisation's
editors — for their own warehouses; the bureau of a jurisdiction for every warehouse in it;
the item catalogue is the bureau's. Readers are ``SUPPORT_READERS`` in their jurisdiction.
Services, pages, API and the admin all ask here."""

from __future__ import annotations

from typing import Any

from core.masking import mask_phone
from core.permissions import can_see_personal_data, in_jurisdiction
from support.models import Warehouse
from support.permissions import active, is_bureau, is_organisation_editor, reads_support

__all__ = [
    "can_create_warehouse",
    "can_edit_catalogue",
    "can_keep_warehouse",
    "can_read_reserves",
    "can_read_warehouse",
    "keeper_phone_for",
]


def can_read_reserves(user: Any) -> bool:
    """Opens the reserves pages and API at all (rows: ``Warehouse.objects.visible_to``)."""
    return reads_support(user)


def can_read_warehouse(user: Any, warehouse: Warehouse) -> bool:
    return can_read_reserves(user) and in_jurisdiction(user, warehouse.jurisdiction)


def can_keep_warehouse(user: Any, warehouse: Warehouse) -> bool:
    """Receives, issues, transfers, counts, sets levels and edits the warehouse: its
    keepers (the owner's editors, in their jurisdiction) and the bureau of its
    jurisdiction."""
    if not active(user):
        return False
    if is_bureau(user, warehouse.jurisdiction):
        return True
    return is_organisation_editor(user, warehouse.owner_id) and in_jurisdiction(
        user, warehouse.jurisdiction
    )


def can_create_warehouse(user: Any, *, owner, jurisdiction) -> bool:
    """The bureau of ``jurisdiction``, or an editor of ``owner`` registering its own
    reserve point in its jurisdiction."""
    if not active(user) or jurisdiction is None:
        return False
    if is_bureau(user, jurisdiction):
        return True
    return (
        owner is not None
        and is_organisation_editor(user, owner.pk)
        and in_jurisdiction(user, jurisdiction)
    )


def can_edit_catalogue(user: Any) -> bool:
    """The item catalogue is shared by every warehouse: the bureau (any level) keeps it."""
    if not active(user):
        return False
    if user.is_superuser:
        return True
    return user.jurisdiction is not None and is_bureau(user, user.jurisdiction)


def keeper_phone_for(user: Any, warehouse: Warehouse) -> str:
    """The keeper's phone in full for those who keep the warehouse, its owner and
    administrators; masked for every other reader (pages and API alike)."""
    if can_keep_warehouse(user, warehouse) or can_see_personal_data(user, warehouse.owner_id):
        return warehouse.keeper_phone
    return mask_phone(warehouse.keeper_phone)
