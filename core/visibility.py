"""Who may read what: one rule for the pages, the API and the live feed (SPEC §1, §8).

Every event type belongs to a family (the part before the first dot, or an exact type
where one event of a family is shown more widely). A family names two audiences:

* ``jurisdiction`` roles read every event of the family in their jurisdiction and below
  (``visible_to``), the way their list pages and API endpoints show the subjects;
* ``own_organisation`` roles read only the events whose ``Event.organisation`` is their
  own organisation: a force account its forces' orders and roll-call targets, a
  department its notices and its consents.

Superusers read everything. An event type that is in no family is read by superusers
only (fail closed): a new event type must be added to ``FAMILIES`` before anyone else
sees it. The permission checks of the incident, dispatch-chain and roll-call pages and
API call the ``can_read_*`` functions below, so a page and the live feed cannot drift;
tests/security/test_live_feed_roles.py walks every event type of the code base against
every role.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.db.models import Q

from core.roles import REGISTRY_READERS, Role

# --- role sets the pages and the API check ------------------------------------------------

# Liaocheng §三.三.1: the bureau and the fire brigade of the same level share every
# incident; the hall screen and the provincial sync client read them too.
INCIDENT_READERS = frozenset(
    {
        Role.DUTY_OFFICER,
        Role.FIRE_DISPATCHER,
        Role.BUREAU_APPROVER,
        Role.ADMINISTRATOR,
        Role.SYNC_CLIENT,
        Role.SCREEN,
    }
)
# The roles that follow the dispatch chain (plans, orders, notices, reinforcement) of
# their jurisdiction through its pages and API.
DISPATCH_READERS = frozenset(
    {
        Role.DUTY_OFFICER,
        Role.FIRE_DISPATCHER,
        Role.BUREAU_APPROVER,
        Role.ADMINISTRATOR,
        Role.SYNC_CLIENT,
    }
)
# The command-hall screen and its feed: the kiosk and everyone who commands.
HALL_ROLES = frozenset(
    {
        Role.SCREEN,
        Role.DUTY_OFFICER,
        Role.BUREAU_APPROVER,
        Role.FIRE_DISPATCHER,
        Role.ADMINISTRATOR,
    }
)
# Who reads roll calls and their reports.
ROLL_CALL_READERS = frozenset(
    {
        Role.FIRE_DISPATCHER,
        Role.DUTY_OFFICER,
        Role.BUREAU_APPROVER,
        Role.ADMINISTRATOR,
        Role.SCREEN,
    }
)
# Warnings (DESIGN12): the bureau, the fire brigade, the issuing departments, the hall
# screen and the provincial sync client of the area.
WARNING_READERS = frozenset(
    {
        Role.DUTY_OFFICER,
        Role.FIRE_DISPATCHER,
        Role.BUREAU_APPROVER,
        Role.DEPARTMENT_EDITOR,
        Role.ADMINISTRATOR,
        Role.SYNC_CLIENT,
        Role.SCREEN,
    }
)
# The grid register (网格责任人): who keeps it and who commands with it.
GRID_READERS = frozenset(
    {
        Role.DUTY_OFFICER,
        Role.FIRE_DISPATCHER,
        Role.BUREAU_APPROVER,
        Role.DEPARTMENT_EDITOR,
        Role.ADMINISTRATOR,
        Role.SYNC_CLIENT,
    }
)
# Accounts, organisations, sign-ins and refusals: the jurisdiction's administrators.
ADMINISTRATORS = frozenset({Role.ADMINISTRATOR})

_NONE: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Audience:
    jurisdiction: frozenset[str]
    own_organisation: frozenset[str] = _NONE


# Family (prefix before the first dot) or exact event type → who reads it. The hall
# screen's feed shows the dispatch chain, so its roles read it although a screen may not
# open the plan or order API.
FAMILIES: dict[str, Audience] = {
    "incident": Audience(INCIDENT_READERS),
    "plan": Audience(DISPATCH_READERS | HALL_ROLES, frozenset({Role.DEPARTMENT_EDITOR})),
    "order": Audience(DISPATCH_READERS | HALL_ROLES, frozenset({Role.FORCE_ACCOUNT})),
    "notice": Audience(DISPATCH_READERS | HALL_ROLES, frozenset({Role.DEPARTMENT_EDITOR})),
    "reinforcement": Audience(DISPATCH_READERS | HALL_ROLES),
    # A flood season or sensitive period declared or ended by the bureau: whoever follows
    # the dispatch chain (its approvals then need the departments' consent) and the hall.
    "special_period": Audience(DISPATCH_READERS | HALL_ROLES),
    "rollcall": Audience(ROLL_CALL_READERS, frozenset({Role.FORCE_ACCOUNT})),
    # "A roll call reached your forces", in the force's organisation's jurisdiction: only
    # that force account reads it (its answer page); readers follow rollcall.delivered.
    "rollcall.called": Audience(_NONE, frozenset({Role.FORCE_ACCOUNT})),
    # Escalations and failed deliveries, recorded on the order, notice, plan or roll-call
    # target they chase: read like the dispatch chain, and by the organisation chased.
    "notify": Audience(
        DISPATCH_READERS | HALL_ROLES | ROLL_CALL_READERS,
        frozenset({Role.FORCE_ACCOUNT, Role.DEPARTMENT_EDITOR}),
    ),
    # Warnings of the area; the issuing department's editors and the force accounts of
    # the issuer follow their own (Event.organisation = the issuer).
    "warning": Audience(WARNING_READERS, frozenset({Role.DEPARTMENT_EDITOR, Role.FORCE_ACCOUNT})),
    "grid": Audience(GRID_READERS),
    # The command HQ (issue 13).
    # 30-minute reports (Tieling §三.(二).2): whoever reads the incident reads its reports.
    "report": Audience(INCIDENT_READERS),
    "consultation": Audience(INCIDENT_READERS),
    # Graded response (DESIGN13): the centre's readers of the jurisdiction; the
    # departments instructed or seated read their own instructions and seats (and the
    # responses that name them, whose events carry no organisation).
    "response": Audience(INCIDENT_READERS, frozenset({Role.DEPARTMENT_EDITOR})),
    "instruction": Audience(INCIDENT_READERS, frozenset({Role.DEPARTMENT_EDITOR})),
    "seat": Audience(INCIDENT_READERS, frozenset({Role.DEPARTMENT_EDITOR})),
    "afteraction": Audience(INCIDENT_READERS - {Role.SCREEN}),
    # Support (issue 14): closed until each part's pages exist; the owner of each opens
    # it (reserve, allocation, requisition, passage, welfare, compensation, shelter).
    # Reserves: support readers of the jurisdiction (support.permissions.SUPPORT_READERS).
    "reserve": Audience(
        frozenset(
            {
                Role.DUTY_OFFICER,
                Role.BUREAU_APPROVER,
                Role.ADMINISTRATOR,
                Role.FIRE_DISPATCHER,
                Role.DEPARTMENT_EDITOR,
                Role.SYNC_CLIENT,
            }
        )
    ),
    # Allocations (调拨): support's readers of the jurisdiction (support.permissions.
    # SUPPORT_READERS) and the hall, whose screen shows the open ones.
    "allocation": Audience(
        HALL_ROLES
        | {Role.DEPARTMENT_EDITOR, Role.SYNC_CLIENT, Role.FIRE_DISPATCHER, Role.ADMINISTRATOR}
    ),
    # Requisitions and compensation claims (issue 14): the bureau, the fire brigade and the
    # sync client of the jurisdiction; the owner unit, the claiming force and the
    # reviewing department their own (Event.organisation = the owner or the claimant).
    "requisition": Audience(
        frozenset({Role.DUTY_OFFICER, Role.BUREAU_APPROVER, Role.ADMINISTRATOR})
        | {Role.FIRE_DISPATCHER, Role.SYNC_CLIENT},
        frozenset({Role.DEPARTMENT_EDITOR}),
    ),
    # Passage requests and vehicle passes: the bureau and the fire brigade of the area;
    # the traffic police / transport bureau read the requests addressed to them, a
    # force's organisation its passes (Event.organisation).
    "passage": Audience(DISPATCH_READERS, frozenset({Role.DEPARTMENT_EDITOR})),
    # Rescuer welfare: support's readers of the jurisdiction; a department reads its own
    # forces' people (support/welfare/permissions.py).
    "welfare": Audience(
        frozenset(
            {
                Role.DUTY_OFFICER,
                Role.BUREAU_APPROVER,
                Role.ADMINISTRATOR,
                Role.FIRE_DISPATCHER,
                Role.SYNC_CLIENT,
            }
        ),
        frozenset({Role.DEPARTMENT_EDITOR}),
    ),
    "compensation": Audience(
        frozenset({Role.DUTY_OFFICER, Role.BUREAU_APPROVER, Role.ADMINISTRATOR})
        | {Role.FIRE_DISPATCHER, Role.SYNC_CLIENT},
        frozenset({Role.DEPARTMENT_EDITOR, Role.FORCE_ACCOUNT}),
    ),
    # Shelters and per-capita indicators (support.shelters): read on their pages and API
    # by support.permissions.SUPPORT_READERS of the jurisdiction.
    "shelter": Audience(
        frozenset(
            {
                Role.DUTY_OFFICER,
                Role.BUREAU_APPROVER,
                Role.ADMINISTRATOR,
                Role.FIRE_DISPATCHER,
                Role.DEPARTMENT_EDITOR,
                Role.SYNC_CLIENT,
            }
        )
    ),
    "force": Audience(REGISTRY_READERS),
    # The two force events the hall screen's feed and map show.
    "force.status_changed": Audience(REGISTRY_READERS | HALL_ROLES),
    "force.created": Audience(REGISTRY_READERS | HALL_ROLES),
    "expert": Audience(REGISTRY_READERS),
    "expert_group": Audience(REGISTRY_READERS),
    "duty": Audience(REGISTRY_READERS),
    "drill": Audience(REGISTRY_READERS),
    "organisation": Audience(ADMINISTRATORS),
    "user": Audience(ADMINISTRATORS),
    "account": Audience(ADMINISTRATORS),
    "security": Audience(ADMINISTRATORS),
    # Outbound push subscribers (sync): who keeps them, and the clients they push for.
    "subscriber": Audience(ADMINISTRATORS | {Role.SYNC_CLIENT}),
    # Operators' edits in the admin are read on the audit page (core.audit); the feed
    # gives them to no role, superusers only, as it did before they were declared here.
    "admin": Audience(_NONE),
}


@lru_cache(maxsize=4096)
def audience(event_type: str) -> Audience | None:
    """The audience of an event type; None (superusers only) for an unknown one."""
    found = FAMILIES.get(event_type)
    if found is None and "." in event_type:
        found = FAMILIES.get(event_type.split(".", 1)[0])
    return found


# --- who a user is, for these rules --------------------------------------------------------


@dataclass(frozen=True)
class Viewer:
    """What decides which events a user reads: hashable, so the live feed renders a
    message once for every connection of the same viewer."""

    superuser: bool
    path: str  # jurisdiction path; "" for none
    roles: frozenset[str]
    organisation_id: int | None

    def reads(self, event_type: str) -> tuple[bool, bool]:
        """(every event of this type in the jurisdiction, only those of the own
        organisation)."""
        return _decision(self, event_type)

    def can_see(self, path: str, event_type: str, organisation_id: int | None) -> bool:
        if self.superuser:
            return True
        if not self.path or not path.startswith(self.path):
            return False
        everything, own = _decision(self, event_type)
        return everything or (
            own and organisation_id is not None and organisation_id == self.organisation_id
        )

    def reads_anything(self) -> bool:
        if self.superuser:
            return True
        if not self.path:
            return False
        return any(any(self.reads(key)) for key in FAMILIES)


@lru_cache(maxsize=65536)
def _decision(viewer: Viewer, event_type: str) -> tuple[bool, bool]:
    found = audience(event_type)
    if found is None:
        return False, False
    return (
        bool(viewer.roles & found.jurisdiction),
        bool(viewer.organisation_id and viewer.roles & found.own_organisation),
    )


def viewer_of(user: Any) -> Viewer:
    if not getattr(user, "is_authenticated", False):
        return Viewer(False, "", _NONE, None)
    jurisdiction = user.jurisdiction
    return Viewer(
        superuser=bool(user.is_superuser),
        path=jurisdiction.path if jurisdiction is not None else "",
        roles=frozenset(user.role_names),
        organisation_id=user.organisation_id,
    )


def _type_q(key: str) -> Q:
    if key in FAMILIES and "." in key:
        return Q(type=key)
    # A family: its prefix, minus the exact types that have an audience of their own.
    exact = [k for k in FAMILIES if "." in k and k.startswith(f"{key}.")]
    condition = Q(type__startswith=f"{key}.")
    return condition & ~Q(type__in=exact) if exact else condition


def event_filter(user: Any) -> Q:
    """``Viewer.can_see`` as a filter on ``core.Event`` (jurisdiction included): the
    database side of the live feed and the event lists of the pages."""
    viewer = viewer_of(user)
    if viewer.superuser:
        return Q()
    if not viewer.path:
        return Q(pk__in=[])
    readable = Q(pk__in=[])
    for key, found in FAMILIES.items():
        if viewer.roles & found.jurisdiction:
            readable |= _type_q(key)
        elif viewer.organisation_id and viewer.roles & found.own_organisation:
            readable |= _type_q(key) & Q(organisation_id=viewer.organisation_id)
    return Q(jurisdiction__path__startswith=viewer.path) & readable


# --- the predicates of the pages and the API ----------------------------------------------


def _has(user: Any, roles: frozenset[str]) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and (
        user.is_superuser or user.has_role(*roles)
    )


def _own(user: Any, roles: frozenset[str]) -> bool:
    return bool(
        getattr(user, "is_authenticated", False) and user.organisation_id and user.has_role(*roles)
    )


def can_read_incidents(user: Any) -> bool:
    return _has(user, FAMILIES["incident"].jurisdiction)


def can_read_dispatch(user: Any) -> bool:
    """The whole dispatch chain of the jurisdiction (plan, order, notice lists)."""
    return _has(user, DISPATCH_READERS)


def can_read_own_orders(user: Any) -> bool:
    """A force account: the orders of its organisation's forces."""
    return _own(user, FAMILIES["order"].own_organisation)


def can_read_department_plans(user: Any) -> bool:
    """A department: the plans and notices that concern it."""
    return _own(user, FAMILIES["plan"].own_organisation)


def can_read_roll_calls(user: Any) -> bool:
    return _has(user, ROLL_CALL_READERS)


def can_answer_roll_calls(user: Any) -> bool:
    """A force account: its organisation's roll-call targets."""
    return _own(user, FAMILIES["rollcall"].own_organisation)


def can_read_warnings(user: Any) -> bool:
    return _has(user, WARNING_READERS)


def can_watch_hall(user: Any) -> bool:
    return _has(user, HALL_ROLES)
