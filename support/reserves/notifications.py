"""Who a reserves alert reaches (notify Recipients per Audience): the keeper of the
warehouse by phone, the owner organisation's editors, the bureau's duty officers of the
nearest jurisdiction at or above the warehouse's. Cached per tick."""

from __future__ import annotations

from core.choices import OrganisationKind
from core.models import Jurisdiction, User
from core.roles import Role
from notify.choices import Audience
from notify.types import Recipient
from support.models import Warehouse

__all__ = ["RecipientBook"]


class RecipientBook:
    """Recipients of warehouses' alerts, looked up once per organisation and jurisdiction."""

    def __init__(self) -> None:
        self._org_users: dict[int, list[Recipient]] = {}
        self._duty: dict[int, list[Recipient]] = {}

    @staticmethod
    def _recipient(user) -> Recipient:
        return Recipient(
            label=(user.display_name or user.username)[:150],
            user_id=user.pk,
            phone=user.phone or "",
        )

    def org_users(self, organisation_id: int) -> list[Recipient]:
        if organisation_id not in self._org_users:
            users = (
                User.objects.filter(
                    organisation_id=organisation_id,
                    is_active=True,
                    groups__name__in=[Role.DEPARTMENT_EDITOR, Role.ADMINISTRATOR],
                )
                .distinct()
                .order_by("pk")
            )
            self._org_users[organisation_id] = [self._recipient(u) for u in users]
        return self._org_users[organisation_id]

    def duty_officers(self, jurisdiction: Jurisdiction) -> list[Recipient]:
        if jurisdiction.pk not in self._duty:
            codes = jurisdiction.ancestors_and_self()
            users = list(
                User.objects.filter(
                    is_active=True,
                    groups__name=Role.DUTY_OFFICER,
                    organisation__kind=OrganisationKind.EMERGENCY_BUREAU,
                    organisation__jurisdiction__code__in=codes,
                )
                .select_related("organisation__jurisdiction")
                .distinct()
                .order_by("pk")
            )
            # The nearest bureau that has duty officers: the county's for a township point.
            deepest = max((len(u.organisation.jurisdiction.path) for u in users), default=0)
            self._duty[jurisdiction.pk] = [
                self._recipient(u)
                for u in users
                if len(u.organisation.jurisdiction.path) == deepest
            ]
        return self._duty[jurisdiction.pk]

    def audiences(self, warehouse: Warehouse) -> dict[str, list[Recipient]]:
        keeper = []
        if warehouse.keeper_phone:
            keeper = [
                Recipient(
                    label=f"库管员 {warehouse.keeper_name}"[:150], phone=warehouse.keeper_phone
                )
            ]
        return {
            Audience.KEEPER: keeper,
            Audience.ORG_USERS: self.org_users(warehouse.owner_id),
            Audience.DUTY_OFFICERS: self.duty_officers(warehouse.jurisdiction),
        }
