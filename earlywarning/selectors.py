"""What the pages, the API, the hall and the duty app read about warnings (DESIGN12
"Board and counters"). Every function scopes to the user: a jurisdiction sees the
warnings of its subtree, those whose area lies in it, and those of the levels above
whose area covers it; the 叫应 board shows the recipients of the user's subtree.

A recipient's state on the board:
  answered   it acknowledged;
  unreached  not answered, and no message of its warning notification was handed over
             (every one failed for good, or there was nothing to send: no phone);
  chasing    the rest: notify is still re-sending, calling, raising.
The board is a constant number of queries whatever the number of recipients.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from functools import reduce
from operator import or_
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils import timezone

from core.models import Jurisdiction
from core.roles import Role
from core.visibility import can_read_warnings
from earlywarning.choices import RecipientState, WarningSource, WarningStatus
from earlywarning.models import HazardWarning, WarningRecipient
from earlywarning.permissions import BUREAU_ROLES
from notify.choices import DeliveryStatus, Purpose
from notify.models import Delivery

REACHED = (DeliveryStatus.SENT, DeliveryStatus.DELIVERED, DeliveryStatus.ACKNOWLEDGED)


def _authenticated(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def _scope(user: Any, jurisdiction: Jurisdiction) -> Q:
    """Warnings of the jurisdiction's subtree, with an area in it, or with an area above
    it (a county sees the city's warning that covers it)."""
    ancestors = jurisdiction.ancestors_and_self()
    return (
        Q(jurisdiction__path__startswith=jurisdiction.path)
        | Q(areas__path__startswith=jurisdiction.path)
        | Q(areas__code__in=ancestors)
    )


def visible_warnings(user: Any) -> QuerySet[HazardWarning]:
    """Every warning the user may read. Drafts: their department, their author, and for
    imported drafts the bureau and the sync client of the area."""
    warnings = HazardWarning.objects.select_related("hazard_type", "issuer", "jurisdiction")
    if not _authenticated(user):
        return warnings.none()
    if user.is_superuser:
        return warnings.all()
    jurisdiction = user.jurisdiction
    if jurisdiction is None:
        return warnings.none()
    if can_read_warnings(user):
        in_scope = HazardWarning.objects.filter(_scope(user, jurisdiction)).values("pk")
        drafts = Q(created_by=user)
        if user.organisation_id:
            drafts |= Q(issuer_id=user.organisation_id)
        if user.has_role(*BUREAU_ROLES, Role.SYNC_CLIENT, Role.ADMINISTRATOR):
            drafts |= Q(source=WarningSource.IMPORTED)
        if user.has_role(Role.SYNC_CLIENT, Role.ADMINISTRATOR):
            drafts |= Q(jurisdiction__path__startswith=jurisdiction.path)
        return warnings.filter(pk__in=in_scope).filter(~Q(status=WarningStatus.DRAFT) | drafts)
    if user.has_role(Role.FORCE_ACCOUNT) and user.organisation_id:
        # A force account sees the warnings it was asked to answer.
        asked = WarningRecipient.objects.filter(
            Q(organisation_id=user.organisation_id) | Q(user=user)
        ).values("warning_id")
        return warnings.filter(pk__in=asked).exclude(status=WarningStatus.DRAFT)
    return warnings.none()


def active_warnings(user: Any) -> QuerySet[HazardWarning]:
    """Warnings in force: published and not past expiry."""
    return visible_warnings(user).filter(
        status=WarningStatus.PUBLISHED, expires_at__gt=timezone.now()
    )


# --- the 叫应 board ----------------------------------------------------------------------------


def _recipients_of(user: Any, warning: HazardWarning) -> QuerySet[WarningRecipient]:
    """The warning's recipients the user may see on its board."""
    recipients = WarningRecipient.objects.filter(warning=warning)
    if not _authenticated(user):
        return recipients.none()
    if user.is_superuser:
        return recipients
    jurisdiction = user.jurisdiction
    if jurisdiction is None:
        return recipients.none()
    if can_read_warnings(user):
        if jurisdiction.contains(warning.jurisdiction):
            return recipients
        return recipients.filter(jurisdiction__path__startswith=jurisdiction.path)
    if user.has_role(Role.FORCE_ACCOUNT) and user.organisation_id:
        return recipients.filter(Q(organisation_id=user.organisation_id) | Q(user=user))
    return recipients.none()


def _reached() -> Exists:
    """Some message of the recipient's warning notification was handed over."""
    ct = ContentType.objects.get_for_model(WarningRecipient)
    return Exists(
        Delivery.objects.filter(
            notification__purpose=Purpose.WARNING,
            notification__content_type=ct,
            notification__object_id=OuterRef("pk"),
            status__in=REACHED,
        )
    )


def _state() -> Case:
    return Case(
        When(acknowledged_at__isnull=False, then=Value(RecipientState.ANSWERED)),
        When(reached=True, then=Value(RecipientState.CHASING)),
        default=Value(RecipientState.UNREACHED),
        output_field=CharField(),
    )


def with_state(recipients: QuerySet[WarningRecipient]) -> QuerySet[WarningRecipient]:
    return recipients.annotate(reached=_reached()).annotate(state=_state())


def board_recipients(
    user: Any,
    warning: HazardWarning,
    *,
    jurisdiction: Jurisdiction | None = None,
    state: str | None = None,
) -> QuerySet[WarningRecipient]:
    """The recipients on the board (annotated ``.state``), optionally of one
    jurisdiction's subtree and one state."""
    recipients = _recipients_of(user, warning)
    if jurisdiction is not None:
        recipients = recipients.filter(jurisdiction__path__startswith=jurisdiction.path)
    recipients = with_state(recipients).select_related("jurisdiction", "grid")
    if state:
        recipients = recipients.filter(state=state)
    return recipients


@dataclass
class BoardRow:
    jurisdiction: Jurisdiction
    total: int = 0
    answered: int = 0
    chasing: int = 0
    unreached: int = 0


@dataclass
class Board:
    warning: HazardWarning
    total: int = 0
    answered: int = 0
    chasing: int = 0
    unreached: int = 0
    rows: list[BoardRow] = field(default_factory=list)


def _child_code(group_path: str, path: str) -> str | None:
    """The code of the child of ``group_path`` that ``path`` lies in (or the group's own
    code for a recipient at the group's level); None if outside it."""
    if not path.startswith(group_path):
        return None
    rest = [c for c in path[len(group_path) :].split("/") if c]
    if rest:
        return rest[0]
    return [c for c in group_path.split("/") if c][-1]


def warning_board(
    user: Any, warning: HazardWarning, *, group_by: Jurisdiction | None = None
) -> Board:
    """Totals and one row per child jurisdiction of ``group_by`` (default: the warning's
    jurisdiction) that holds recipients the user may see. Three queries."""
    group = group_by or warning.jurisdiction
    counts = (
        _recipients_of(user, warning)
        .filter(jurisdiction__path__startswith=group.path)
        .annotate(reached=_reached())
        .values("jurisdiction__path")
        .annotate(
            total=Count("pk"),
            answered=Count("pk", filter=Q(acknowledged_at__isnull=False)),
            chasing=Count("pk", filter=Q(acknowledged_at__isnull=True, reached=True)),
        )
        .order_by()
    )
    board = Board(warning=warning)
    by_code: dict[str, BoardRow] = {}
    for item in counts:
        code = _child_code(group.path, item["jurisdiction__path"])
        if code is None:
            continue
        row = by_code.get(code)
        if row is None:
            row = by_code[code] = BoardRow(jurisdiction=None)  # type: ignore[arg-type]
        unreached = item["total"] - item["answered"] - item["chasing"]
        for target in (row, board):
            target.total += item["total"]
            target.answered += item["answered"]
            target.chasing += item["chasing"]
            target.unreached += unreached
    if by_code:
        places = {j.code: j for j in Jurisdiction.objects.filter(code__in=list(by_code))}
        for code, row in by_code.items():
            row.jurisdiction = places[code]
        board.rows = sorted(by_code.values(), key=lambda r: r.jurisdiction.path)
    return board


def unanswered_count(user: Any) -> int:
    """Recipients of the warnings in force the user sees that have not answered
    (预警未叫应 N), in the user's jurisdiction."""
    if not _authenticated(user):
        return 0
    recipients = WarningRecipient.objects.filter(
        warning__in=active_warnings(user).values("pk"), acknowledged_at__isnull=True
    )
    if not user.is_superuser:
        jurisdiction = user.jurisdiction
        if jurisdiction is None:
            return 0
        if not can_read_warnings(user):
            if not user.organisation_id:
                return 0
            recipients = recipients.filter(Q(organisation_id=user.organisation_id) | Q(user=user))
        recipients = recipients.filter(
            Q(jurisdiction__path__startswith=jurisdiction.path)
            | Q(warning__jurisdiction__path__startswith=jurisdiction.path)
        )
    return recipients.count()


# --- key periods ------------------------------------------------------------------------------


def key_period_warnings(jurisdiction: Jurisdiction, day: datetime.date) -> list[HazardWarning]:
    """Warnings in force on ``day`` that open a key period for ``jurisdiction``: one of
    their areas is it, lies above it, or lies below it (up to the warning's
    jurisdiction)."""
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(day, datetime.time.min, tzinfo=tz)
    end = start + datetime.timedelta(days=1)
    ancestors = jurisdiction.ancestors_and_self()
    # Above the schedule: an area is it or one of its ancestors.
    covers = Q(areas__code__in=ancestors)
    # Below the schedule: an area lies under it, and the schedule lies within the
    # warning's jurisdiction.
    within = [
        Q(jurisdiction__code=code) for code in ancestors
    ]  # the warning's jurisdiction is the schedule's or above
    below = Q(areas__path__startswith=jurisdiction.path) & reduce(or_, within)
    found = (
        HazardWarning.objects.filter(
            covers | below,
            status=WarningStatus.PUBLISHED,
            opens_key_period=True,
            effective_at__lt=end,
            expires_at__gt=start,
        )
        .select_related("hazard_type")
        .distinct()
        .order_by("effective_at", "pk")
    )
    return list(found)
